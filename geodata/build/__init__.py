"""The build: stages that turn the sources into GeoParquet files (see ``runner``)."""
