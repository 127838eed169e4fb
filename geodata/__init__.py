"""Loading, cleaning and joining of the atlas's geographic data.

Pure functions returning (Geo)DataFrames with declared schemas; no Streamlit, no folium.
"""
