"""The web service: FastAPI application factory, JSON API, staff pages. The only HTTP code."""
