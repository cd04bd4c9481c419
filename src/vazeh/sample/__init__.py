"""The bundled sample news site: static pages in `site/`, served by `server.serve_sample`."""
