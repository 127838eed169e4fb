"""Streamlit pages: thin glue between widgets, cached loaders and layers."""
