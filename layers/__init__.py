"""Map layers: one module per layer, GeoDataFrame in, folium layer out. No Streamlit."""
