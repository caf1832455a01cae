"""One error tree for the whole platform. The HTTP status lives on the class.

::

    LookthroughError (500)
    ├── NotAuthenticated (401)
    │   └── SessionExpired (401)
    ├── LoginFailed (401)
    ├── AccountLocked (423)
    ├── PermissionDenied (403)
    │   ├── OutOfJurisdiction (403)
    │   └── CsrfFailed (403)
    ├── NotFound (404)
    ├── Conflict (409)
    │   └── InvalidTransition (409)
    ├── ValidationFailed (422)
    │   ├── PasswordRejected (422)
    │   ├── FileRejected (422)
    │   └── MappingInvalid (422)
    └── ExportUnavailable (503)

Domain code raises these and never ``HTTPException``; the API turns them into
``{"code", "detail"}`` JSON under ``/api/v1`` and into a friendly page elsewhere; the CLI prints
the message and exits with status 1. Messages are written for the user, in Chinese.
"""

from __future__ import annotations

from typing import Any, ClassVar


class LookthroughError(Exception):
    """Something the platform refuses or cannot do; ``message`` is shown to the user."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "系统内部错误，请稍后重试或联系管理员"

    def __init__(self, message: str | None = None, **context: Any) -> None:
        self.message = message or self.default_message
        self.context = context
        super().__init__(self.message)


class NotAuthenticated(LookthroughError):
    status = 401
    code = "not_authenticated"
    default_message = "请先登录"


class SessionExpired(NotAuthenticated):
    code = "session_expired"
    default_message = "登录已超时，请重新登录"


class LoginFailed(LookthroughError):
    status = 401
    code = "login_failed"
    default_message = "用户名或密码错误"


class AccountLocked(LookthroughError):
    status = 423
    code = "account_locked"
    default_message = "登录失败次数过多，账号已临时锁定，请稍后再试或联系安全管理员"


class PermissionDenied(LookthroughError):
    status = 403
    code = "permission_denied"
    default_message = "您的角色无权执行此操作"


class OutOfJurisdiction(PermissionDenied):
    code = "out_of_jurisdiction"
    default_message = "所请求的数据不在您的管辖范围内"


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    default_message = "页面已过期或请求来源无效，请刷新页面后重试"


class NotFound(LookthroughError):
    status = 404
    code = "not_found"
    default_message = "未找到所请求的内容"


class Conflict(LookthroughError):
    status = 409
    code = "conflict"
    default_message = "操作与现有数据冲突"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "当前状态不允许此操作"


class ValidationFailed(LookthroughError):
    status = 422
    code = "validation_failed"
    default_message = "提交的内容不符合要求"


class PasswordRejected(ValidationFailed):
    code = "password_rejected"
    default_message = "密码不符合安全要求"


class FileRejected(ValidationFailed):
    """A whole uploaded file is refused (encoding, format, zip bomb) before any row is read."""

    code = "file_rejected"
    default_message = "文件无法读取"


class MappingInvalid(ValidationFailed):
    """A column mapping file is malformed; the message names the wrong entry."""

    code = "mapping_invalid"
    default_message = "映射文件有误"


class ExportUnavailable(LookthroughError):
    """A document cannot be produced on this server (a font or tool it needs is missing)."""

    status = 503
    code = "export_unavailable"
    default_message = "暂时无法生成该文件，请联系管理员"


# What a form page shows beside the form and lets the user correct; anything else (a refused
# permission, an expired session) propagates to the error handlers, which audit and redirect.
FORM_ERRORS: tuple[type[LookthroughError], ...] = (ValidationFailed, Conflict)


def all_errors() -> list[type[LookthroughError]]:
    """Every class in the tree, root first (used by the API docs and the tests)."""
    found: list[type[LookthroughError]] = [LookthroughError]
    index = 0
    while index < len(found):
        found.extend(sorted(found[index].__subclasses__(), key=lambda cls: cls.__name__))
        index += 1
    return found
