from .servers import http_server, smtp_server

__all__ = ["http_server", "smtp_server"]
