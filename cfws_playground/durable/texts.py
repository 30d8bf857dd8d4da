"""workerd's texts and limits for Durable Objects and the Hibernation API, word for word.

Collected from ``src/workerd/api/actor-state.c++``, ``src/workerd/io/legacy-hibernation-manager.c++``
(the hibernation manager workerd runs today), ``src/workerd/api/web-socket.c++`` and
``src/workerd/server/server.c++`` (local Durable Object ids).
"""

from __future__ import annotations

__all__ = [
    "ACTIVE_CONNECTION_LIMIT",
    "AUTO_RESPONSE_LIMIT",
    "EVENT_TIMEOUT_LIMIT_MS",
    "MAX_TAGS_PER_CONNECTION",
    "MAX_TAG_LENGTH",
]

#: Hibernatable WebSockets one object may hold (``ACTIVE_CONNECTION_LIMIT = 1024 * 32``).
ACTIVE_CONNECTION_LIMIT = 1024 * 32
#: Distinct tags per socket, and the longest tag in bytes (``MAX_TAGS_PER_CONNECTION``, ``MAX_TAG_LENGTH``).
MAX_TAGS_PER_CONNECTION = 10
MAX_TAG_LENGTH = 256
#: Longest auto-response request or response, in bytes.
AUTO_RESPONSE_LIMIT = 2048
#: Longest hibernatable event timeout, in milliseconds (7 days).
EVENT_TIMEOUT_LIMIT_MS = 604800 * 1000

TOO_MANY_SOCKETS = (
    f"only {ACTIVE_CONNECTION_LIMIT} websockets can be accepted on a single Durable Object instance"
)
TOO_MANY_TAGS = f"a Hibernatable WebSocket cannot have more than {MAX_TAGS_PER_CONNECTION} tags"
TAG_TOO_LONG = '"{tag}" is longer than the max tag length (' + str(MAX_TAG_LENGTH) + " characters)."
ALREADY_ACCEPTED = "Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`"
PEER_NOT_AWAITING = (
    "Cannot call `acceptWebSocket()` on this WebSocket because its pair has already been "
    "accepted or used in a Response."
)
REQUEST_TOO_LARGE = (
    f"Request cannot be larger than {AUTO_RESPONSE_LIMIT} bytes. A request of size {{size}} was provided."
)
RESPONSE_TOO_LARGE = (
    f"Response cannot be larger than {AUTO_RESPONSE_LIMIT} bytes. A response of size {{size}} was provided."
)
EVENT_TIMEOUT_TOO_LONG = f"Event timeout should not exceed {EVENT_TIMEOUT_LIMIT_MS} ms."
TAGS_BEFORE_ACCEPT = "you must call 'acceptWebSocket()' before attempting to access the tags of a WebSocket."
TAGS_NOT_HIBERNATABLE = "only hibernatable websockets can have tags."
INVALID_ID = "Invalid Durable Object ID: must be 64 hex digits"
NO_RPC_METHOD = 'The RPC receiver does not implement the method "{name}".'
NO_ALARM_HANDLER = "Your Durable Object class must have an alarm() handler in order to call setAlarm()"
ALARM_NOT_POSITIVE = "setAlarm() cannot be called with an alarm time <= 0"
LIST_LIMIT = "List limit must be positive."
PUT_SHAPE = (
    "put() may only be called with a single key-value pair and optional options as put(key, value, "
    "options) or with multiple key-value pairs and optional options as put(entries, options)"
)
DISCONNECTED = "WebSocket disconnected without sending Close frame."
#: JSG's texts for an argument of the wrong type (observed on workerd 2026-11-17).
TAGS_NOT_ARRAY = (
    "Failed to execute 'acceptWebSocket' on 'DurableObjectState': parameter 2 is not of type 'Array'."
)
NOT_OF_TYPE = "Failed to execute '{method}' on 'DurableObjectState': parameter {n} is not of type '{type}'."
NEGATIVE_NUMBER = (
    "The value cannot be converted because it is negative and this API expects a positive number."
)
