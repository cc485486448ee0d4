"""Statistical analysis for the impact workshop (descriptives against norms, reliability,
asset-to-wellbeing models, money value per asset). Pure pandas/statsmodels: no Flask import.

Built by the analysis issue on top of the scoring library in `instruments`.
"""
