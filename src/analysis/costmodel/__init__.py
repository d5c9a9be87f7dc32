"""The Arbetsförmedlingen cost model as data, evaluated with printed intervals."""
