"""CarrierX's APIs: the FlexML REST API (placing calls) and the Core API (endpoints).

httpx is imported with this package; the headless commands that do not talk to CarrierX
never import it.
"""

from .client import (
    CORE_API_URL,
    DEFAULT_TIMEOUT,
    FLEXML_API_URL,
    CallRequest,
    CoreClient,
    FlexmlClient,
    FlexmlEndpoint,
    check_api_url,
)
from .errors import (
    ApiError,
    AuthError,
    BadAnswerError,
    BadRequestError,
    CarrierXError,
    ConflictError,
    ConnectionRefused,
    ForbiddenError,
    NameLookupError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    RequestTimeout,
    ServerError,
    TlsError,
    UnsupportedMediaError,
    ValidationError,
    redact,
)

__all__ = [
    "CORE_API_URL",
    "DEFAULT_TIMEOUT",
    "FLEXML_API_URL",
    "ApiError",
    "AuthError",
    "BadAnswerError",
    "BadRequestError",
    "CallRequest",
    "CarrierXError",
    "ConflictError",
    "ConnectionRefused",
    "CoreClient",
    "FlexmlClient",
    "FlexmlEndpoint",
    "ForbiddenError",
    "NameLookupError",
    "NetworkError",
    "NotFoundError",
    "RateLimitError",
    "RequestTimeout",
    "ServerError",
    "TlsError",
    "UnsupportedMediaError",
    "ValidationError",
    "check_api_url",
    "redact",
]
