"""Territory briefings: the model of a territory's pack, its figures, PDF/HTML and exports."""
