"""Batched count-model fits in plain numpy: many small GLMs solved at once.

The breakpoint scan, its parametric bootstrap and the profile-likelihood intervals each
need hundreds to tens of thousands of fits of the same small problem (18 half-years, up
to 7 parameters). Looping over statsmodels would take seconds; here every array carries a
leading batch axis and each IRLS step solves all problems together.

Shapes: ``y`` ``(..., n)``, ``X`` ``(..., n, p)``, ``offset`` ``(..., n)``; leading axes
broadcast. Results have the leading batch shape.

References
----------
McCullagh, P. & Nelder, J. A. (1989). Generalized Linear Models, 2nd ed., ch. 2 (IRLS).
Hilbe, J. M. (2011). Negative Binomial Regression, 2nd ed., ch. 8 (NB2 likelihood).
"""

from __future__ import annotations

import numpy as np
from scipy import special

_TOL = 1e-10


def _wls_step(y, X, offset, mu, weight):
    """One IRLS step: weighted least squares of the working response on ``X``."""
    eta = np.log(mu)
    z = eta - offset + (y - mu) / mu
    xtw = np.swapaxes(X, -1, -2) * weight[..., None, :]
    return np.linalg.solve(xtw @ X, (xtw @ z[..., None]))[..., 0]


def _start(y, X, offset):
    """Least squares of log(y + 0.5) - offset on X: a starting point a few steps from the fit."""
    z = np.log(y + 0.5) - offset
    xt = np.swapaxes(X, -1, -2)
    return np.linalg.solve(xt @ X, (xt @ z[..., None]))[..., 0]


def _mu(X, beta, offset):
    # Bounded so that a wild trial value (a profile far from the data) cannot overflow.
    return np.exp(np.clip((X @ beta[..., None])[..., 0] + offset, -50, 50))


def poisson_deviance(y, mu):
    """Poisson deviance ``2 sum(y log(y/mu) - (y - mu))`` over the last axis."""
    y = np.asarray(y, float)
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)
    return 2 * np.sum(ylogy - (y - mu), axis=-1)


def poisson_fit(y, X, offset=None, max_iter: int = 50):
    """Poisson GLM (log link) by IRLS for a batch of problems.

    Returns
    -------
    dict
        ``beta`` (..., p), ``mu`` (..., n), ``deviance``, ``pearson`` (Pearson chi-square)
        and ``converged`` (...).
    """
    y = np.asarray(y, float)
    X = np.asarray(X, float)
    offset = np.zeros(np.broadcast_shapes(y.shape, X.shape[:-1])) if offset is None else np.asarray(offset, float)
    beta = _start(y, X, offset)
    dev = np.full(np.broadcast_shapes(y.shape, X.shape[:-1])[:-1], np.inf)
    converged = np.zeros(dev.shape, bool)
    for _ in range(max_iter):
        mu = _mu(X, beta, offset)
        beta = _wls_step(y, X, offset, mu, mu)
        mu = _mu(X, beta, offset)
        new = poisson_deviance(y, mu)
        converged = np.abs(new - dev) <= _TOL * (np.abs(new) + 1.0)
        dev = new
        if converged.all():
            break
    return {
        "beta": beta,
        "mu": mu,
        "deviance": dev,
        "pearson": np.sum((y - mu) ** 2 / mu, axis=-1),
        "converged": converged,
    }


def nb2_loglik(y, mu, alpha):
    """NB2 log-likelihood (variance ``mu + alpha mu^2``) summed over the last axis."""
    y = np.asarray(y, float)
    theta = 1.0 / np.asarray(alpha, float)[..., None]
    return np.sum(
        special.gammaln(y + theta)
        - special.gammaln(theta)
        - special.gammaln(y + 1)
        + theta * np.log(theta / (theta + mu))
        + y * np.log(mu / (theta + mu)),
        axis=-1,
    )


def nb2_deviance(y, mu, alpha):
    """NB2 deviance at fixed ``alpha``: ``2 sum(y log(y/mu) - (y + 1/a) log((1 + a y)/(1 + a mu)))``.

    About the residual degrees of freedom when the model fits; the Poisson deviance at the
    NB means is not (it grows with the counts).
    """
    y = np.asarray(y, float)
    a = np.asarray(alpha, float)[..., None]
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)
    return 2 * np.sum(ylogy - (y + 1 / a) * np.log((1 + a * y) / (1 + a * mu)), axis=-1)


def _theta_step(y, mu, log_theta):
    """One Newton step for log(1/alpha) given the means (the NB2 score in theta)."""
    theta = np.exp(log_theta)[..., None]
    g = np.sum(
        special.digamma(y + theta) - special.digamma(theta) + np.log(theta / (theta + mu)) + (mu - y) / (theta + mu),
        axis=-1,
    )
    h = np.sum(
        special.zeta(2, y + theta)  # trigamma
        - special.zeta(2, theta)
        + 1 / theta
        - 2 / (theta + mu)
        + (y + theta) / (theta + mu) ** 2,
        axis=-1,
    )
    th = theta[..., 0]
    d1, d2 = th * g, th * th * h + th * g
    # Newton on the log scale where the log-likelihood is concave; else a bounded ascent step.
    step = np.where(d2 < 0, -d1 / np.where(d2 < 0, d2, -1.0), np.sign(d1))
    return np.clip(log_theta + np.clip(step, -2.0, 2.0), -10.0, 30.0)


def nb2_fit(y, X, offset=None, max_iter: int = 200, start=None):
    """NB2 GLM by maximum likelihood: IRLS for the coefficients alternated with Newton
    steps for ``alpha`` (batched).

    ``start`` may be an earlier result (warm start: ``beta`` and ``alpha``).

    Returns
    -------
    dict
        ``beta``, ``alpha``, ``mu``, ``loglik``, ``converged``.
    """
    y = np.asarray(y, float)
    X = np.asarray(X, float)
    shape = np.broadcast_shapes(y.shape, X.shape[:-1])
    offset = np.zeros(shape) if offset is None else np.asarray(offset, float)
    if start is None:
        p = poisson_fit(y, X, offset)
        beta, mu = p["beta"], p["mu"]
        # Moment start: alpha from the Pearson excess over Poisson variance.
        excess = np.sum(((y - mu) ** 2 - mu) / mu**2, axis=-1) / max(shape[-1] - X.shape[-1], 1)
        log_theta = -np.log(np.clip(excess, 1e-6, 1e4))
    else:
        beta, log_theta = start["beta"], -np.log(start["alpha"])
        mu = _mu(X, beta, offset)
    ll = np.full(shape[:-1], -np.inf)
    converged = np.zeros(shape[:-1], bool)
    for _ in range(max_iter):
        log_theta = _theta_step(y, mu, log_theta)
        alpha = np.exp(-log_theta)
        beta = _wls_step(y, X, offset, mu, mu / (1 + alpha[..., None] * mu))
        mu = _mu(X, beta, offset)
        new = nb2_loglik(y, mu, alpha)
        converged = np.abs(new - ll) <= 1e-10 * (np.abs(new) + 1.0)
        ll = new
        if converged.all():
            break
    return {"beta": beta, "alpha": np.exp(-log_theta), "mu": mu, "loglik": ll, "converged": converged}


def null_space(c: np.ndarray) -> np.ndarray:
    """Orthonormal basis (p, p-1) of the vectors orthogonal to ``c``."""
    q, _ = np.linalg.qr(np.column_stack([c, np.eye(len(c))]))
    return q[:, 1 : len(c)]


def nb2_profile(y, X, contrasts: np.ndarray, values: np.ndarray, start=None):
    """Profile log-likelihood of NB2 at ``c_k' beta = v`` for a batch of contrasts.

    ``contrasts`` (K, p), ``values`` (..., K): beta = v c/(c'c) + N delta with N a basis
    of the complement of c, so the constrained fit is an NB2 fit with an offset; alpha is
    profiled too.
    """
    c = np.asarray(contrasts, float)
    base = X @ (c / np.sum(c * c, axis=1, keepdims=True)).T  # (n, K)
    design = np.stack([X @ null_space(ck) for ck in c])  # (K, n, p-1)
    offset = np.asarray(values, float)[..., None] * base.T  # (..., K, n)
    fit = nb2_fit(y, design, offset, start=start)
    return fit["loglik"], fit


def poisson_fit_grid(Y, designs, max_iter: int = 50):
    """Poisson fits of every series in ``Y`` (B, n) on every design in ``designs`` (C, n, p).

    The designs are shared across series, so the weighted cross-products are one matrix
    product per design (``W @ [x_i x_i']``) instead of B x C small products, and the
    deviance is tracked from ``sum(y eta) - sum(mu)`` (the ``y log y`` part is constant).

    Returns
    -------
    dict
        ``deviance`` and ``pearson`` (B, C), ``converged`` (B, C).
    """
    Y = np.asarray(Y, float)
    Xs = np.asarray(designs, float)
    C, n, p = Xs.shape
    Xt = np.ascontiguousarray(np.swapaxes(Xs, 1, 2))  # (C, p, n)
    outer = (Xs[:, :, :, None] * Xs[:, :, None, :]).reshape(C, n, p * p)  # (C, n, p*p)
    z0 = np.log(Y + 0.5)
    beta = np.linalg.solve((Xt @ Xs)[:, None], (z0 @ Xs)[..., None])[..., 0]  # (C, B, p)
    ylogy = np.sum(np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1.0)), 0.0) - Y, axis=-1)  # (B,)
    dev = np.full((C, len(Y)), np.inf)
    # A simulated series with zero counts in a short segment has its maximum at a level of
    # -inf (the fitted mean goes to 0): the bounded linear predictor and a ridge of 1e-12
    # of the mean diagonal keep such fits finite (their deviance approaches its limit)
    # and change regular fits by about 1e-12.
    ridge = 1e-12 * np.eye(p)
    for _ in range(max_iter):
        eta = np.clip(beta @ Xt, -50, 50)
        mu = np.exp(eta)
        xtwx = (mu @ outer).reshape(C, len(Y), p, p)
        xtwx = xtwx + ridge * np.trace(xtwx, axis1=-2, axis2=-1)[..., None, None] / p
        beta = np.linalg.solve(xtwx, ((mu * eta + Y - mu) @ Xs)[..., None])[..., 0]
        eta = np.clip(beta @ Xt, -50, 50)
        mu = np.exp(eta)
        new = 2 * (ylogy - np.sum(Y * eta - mu, axis=-1))
        converged = np.abs(new - dev) <= _TOL * (np.abs(new) + 1.0)
        dev = new
        if converged.all():
            break
    pearson = np.sum((Y - mu) ** 2 / mu, axis=-1)
    return {"deviance": dev.T, "pearson": pearson.T, "converged": converged.T}
