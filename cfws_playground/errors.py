"""Errors the Workers runtime throws, as Python exceptions.

workerd throws JavaScript errors; the kit maps each one to the Python class a
Python developer would reach for, keeping workerd's message text word for word:

* JS ``TypeError`` -> Python's built-in :class:`TypeError` (raised as is).
* JS ``RangeError`` -> :class:`RangeError`, a :class:`ValueError`.
* JS ``DOMException`` -> :class:`DOMException`, with ``.name`` such as
  ``"InvalidAccessError"`` or ``"SyntaxError"`` and the legacy numeric ``.code``.
* JS ``Error`` -> :class:`WorkersError`, an :class:`Exception`.

Hierarchy::

    Exception
    ├── WorkersError            (JS Error: attachment too large, network lost, ...)
    │   └── ConnectionLostError (JS Error "Network connection lost.")
    ├── DOMException            (.name: InvalidAccessError, SyntaxError, DataCloneError, ...)
    └── ValueError
        └── RangeError          (JS RangeError)

The texts below are workerd's (``src/workerd/api/web-socket.c++``), collected in
one place so tests, notebooks and the runtime quote the same strings.
"""

from __future__ import annotations

__all__ = ["ConnectionLostError", "DOMException", "RangeError", "WorkersError"]


class WorkersError(Exception):
    """A plain JavaScript ``Error`` thrown by the Workers runtime.

    ``name`` is ``"Error"`` and ``message`` the text, as ``error.name`` and
    ``error.message`` read in JavaScript (an ErrorEvent's ``error`` is one).
    """

    name = "Error"

    @property
    def message(self) -> str:
        """The text, as JS ``error.message``."""
        return str(self)


class ConnectionLostError(WorkersError):
    """workerd's ``Error: Network connection lost.``.

    workerd reports it on the end that answered a Close once the handshake has
    finished, and on the peer of a socket whose listener raised.
    """

    def __init__(self, message: str = "Network connection lost.") -> None:
        super().__init__(message)


class RangeError(ValueError):
    """JavaScript's ``RangeError``, e.g. a ``Response`` with a WebSocket and status 200."""


# Legacy numeric codes of DOMException names (WebIDL), as JS exposes them in `.code`.
_DOM_CODES = {
    "IndexSizeError": 1,
    "HierarchyRequestError": 3,
    "InvalidCharacterError": 5,
    "NotFoundError": 8,
    "NotSupportedError": 9,
    "InvalidStateError": 11,
    "SyntaxError": 12,
    "InvalidModificationError": 13,
    "NamespaceError": 14,
    "InvalidAccessError": 15,
    "TypeMismatchError": 17,
    "SecurityError": 18,
    "NetworkError": 19,
    "AbortError": 20,
    "URLMismatchError": 21,
    "QuotaExceededError": 22,
    "TimeoutError": 23,
    "InvalidNodeTypeError": 24,
    "DataCloneError": 25,
}


class DOMException(Exception):  # noqa: N818 - the Web platform's name
    """JavaScript's ``DOMException``: a message plus a ``name`` that says which kind.

    Example:
        >>> try:
        ...     ws.close(999)
        ... except DOMException as e:
        ...     print(e.name, e)
        InvalidAccessError Invalid WebSocket close code: 999.
    """

    def __init__(self, message: str = "", name: str = "Error") -> None:
        super().__init__(message)
        self.message = message
        self.name = name
        self.code = _DOM_CODES.get(name, 0)

    def __repr__(self) -> str:
        return f"DOMException({self.message!r}, {self.name!r})"


# workerd's message texts, word for word.
MUST_ACCEPT = (
    "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages."
)
SEND_AFTER_CLOSE = "Can't call WebSocket send() after close()."
ACCEPT_RELEASED = "Can't accept() WebSocket that was already used in a response."
ACCEPT_HIBERNATABLE = "Can't accept() WebSocket after enabling hibernation."
COUPLE_ACCEPTED = "Can't return WebSocket in a Response after calling accept()."
COUPLE_RELEASED = "Can't return WebSocket that was already used in a response."
COUPLE_NO_UPGRADE = (
    "Worker tried to return a WebSocket in a response to a request which did not contain "
    'the header "Upgrade: websocket".'
)
INVALID_CLOSE_CODE = "Invalid WebSocket close code: {code}."
REASON_WITHOUT_CODE = "If you specify a WebSocket close reason, you must also specify a code."
REASON_TOO_LONG = "WebSocket close reason must not be longer than 123 bytes when UTF-8 encoded."
SEND_NO_ARGUMENT = (
    "Failed to execute 'send' on 'WebSocket': parameter 1 is not of type "
    "'ArrayBuffer or ArrayBufferView or string'."
)
ATTACHMENT_TOO_LARGE = (
    "A WebSocket 'attachment' cannot be larger than {limit} bytes.'attachment' was {size} bytes."
)
#: workerd's serializer, for a runtime object (a WebSocket) in an attachment or in storage.
NOT_SERIALIZABLE = 'Could not serialize object of type "{type}". This type does not support serialization.'
CAPTURE_MUST_BE_FALSE = "addEventListener(): options.capture must be false."
USE_CAPTURE_MUST_BE_FALSE = "addEventListener(): useCapture must be false."
REMOVE_CAPTURE_MUST_BE_FALSE = "removeEventListener(): options.capture must be false."
REMOVE_USE_CAPTURE_MUST_BE_FALSE = "removeEventListener(): useCapture must be false."
DISCONNECTED_REASON = "WebSocket disconnected without sending Close frame."
CONNECTION_LOST = "Network connection lost."
PROMISE_IGNORED = (
    "An event handler returned a promise that will be ignored. Event handlers should not "
    "have a return value and should not be async functions."
)


def js_view(exc: BaseException) -> BaseException:
    """The error the runtime sees for ``exc``: itself, or the JS error it became when it crossed
    from Python Workers code into JavaScript (Pyodide's ``PythonError``, kept on ``_js_view``)."""
    view = getattr(exc, "_js_view", None)
    return view if isinstance(view, BaseException) else exc


def js_name(exc: BaseException) -> str:
    """The name an uncaught error is labelled with, as workerd's ``Uncaught TypeError: ...``.

    The runtime's own errors read their JavaScript ``error.name`` (``Error``, a
    DOMException's ``InvalidAccessError``); every other exception its class name.
    Python's ``NameError`` and ``AttributeError`` also carry a ``name``, the name
    that was missing, which is no label.
    """
    exc = js_view(exc)
    if isinstance(exc, (WorkersError, DOMException)) or getattr(exc, "_js_error", False) is True:
        return str(getattr(exc, "name", ""))  # a JS error seen from Python (pyodide.ffi.JsException) too
    return type(exc).__name__


def js_message(exc: BaseException) -> str:
    """The message an uncaught error is labelled with: a JS error seen from Python carries its own
    (its ``str()`` is ``"name: message"``, as in Pyodide)."""
    exc = js_view(exc)
    if getattr(exc, "_js_error", False) is True:
        return str(getattr(exc, "message", exc))
    return str(exc)


# JSG's argument conversions (workerd's texts for arguments of the wrong type).
VALUE_OUT_OF_RANGE = "Value out of range. Must be between -2147483648 and 2147483647 (inclusive)."
LISTENER_NOT_OF_TYPE = (
    "Failed to execute 'addEventListener' on 'EventTarget': "
    "parameter 2 is not of type 'function or HandlerObject'."
)
HANDLE_EVENT_NOT_OF_TYPE = (
    "Incorrect type for the 'handleEvent' field on 'HandlerObject': "
    "the provided value is not of type 'function'."
)
REMOVE_LISTENER_NOT_OF_TYPE = (
    "Failed to execute 'removeEventListener' on 'EventTarget': parameter 2 is not of type 'Object'."
)
DISPATCH_NOT_AN_EVENT = (
    "Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'."
)
ACCEPT_OPTIONS_NOT_OF_TYPE = (
    "Failed to execute 'accept' on 'WebSocket': parameter 1 is not of type 'AcceptOptions'."
)
RESPONSE_WEBSOCKET_NOT_OF_TYPE = (
    "Incorrect type for the 'webSocket' field on 'InitializerDict': "
    "the provided value is not of type 'WebSocket'."
)
