"""The API key in the OpenAPI description (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "lenders.apikeys.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "银行接口密钥：请求头 `Authorization: Token yfk_…`（在平台“接口密钥”页面生成，只显示一次）。"
            ),
        }
