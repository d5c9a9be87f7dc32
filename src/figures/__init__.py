"""servicestat figures: plot functions that take data and return a matplotlib Figure."""
