"""Salesforce's error replies: a REST error is a JSON list of ``{"message", "errorCode"}`` objects."""

import json


class ApiError(Exception):
    """An error the org answers with, in Salesforce's own code and wording."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> bytes:
        return error_body(self.code, self.message)


def error_body(code: str, message: str) -> bytes:
    return json.dumps([{"message": message, "errorCode": code}]).encode()


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")
