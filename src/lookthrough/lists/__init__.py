"""The four lists (四个清单): matters, problems, causes, rectifications — one evidence chain."""
