"""The occupation list (ESCO by default): import, and type-ahead search in sv, da and en."""
