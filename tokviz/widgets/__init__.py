"""The notebook views: TokenViz (interactive) and one view per result, each with its payload function."""
