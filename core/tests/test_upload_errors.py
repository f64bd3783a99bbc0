"""Every upload error is a 4xx with a clear message: JSON for the API, a page for pages."""

from typing import Any

from django.test import override_settings

from core.tokens import api_token_issue
from wijk.testing import WijkTestCase

UPLOAD = "/api/v1/rentals/bank-imports"


class ApiUploadErrorTest(WijkTestCase):
    def post(self, content_type: str, body: bytes, **extra: Any) -> Any:
        key = api_token_issue(user=self.ines).key
        with self.assertNoLogs("wijk.api", level="ERROR"):
            return self.client.generic(
                "POST",
                UPLOAD,
                body,
                content_type=content_type,
                HTTP_AUTHORIZATION=f"Bearer {key}",
                HTTP_ACCEPT_LANGUAGE="en",
                **extra,
            )

    def assertJsonError(self, response: Any, status: int) -> str:
        self.assertEqual(response.status_code, status, response.content[:300])
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        message = response.json()["message"]
        self.assertTrue(message)
        return str(message)

    def test_multipart_without_a_boundary(self) -> None:
        message = self.assertJsonError(self.post("multipart/form-data", b"x" * 10), 400)
        self.assertIn("multipart", message)

    def test_multipart_with_a_broken_body(self) -> None:
        body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        response = self.post("multipart/form-data; boundary=b", body)
        self.assertIn(response.status_code, (400, 422))
        self.assertTrue(response["Content-Type"].startswith("application/json"))

    def test_multipart_with_a_bad_charset(self) -> None:
        response = self.post("multipart/form-data; boundary=b; charset=no-such-codec", b"--b--")
        self.assertIn(response.status_code, (400, 422))
        self.assertTrue(response["Content-Type"].startswith("application/json"))

    def test_json_with_a_bad_encoding(self) -> None:
        response = self.post("application/json; charset=utf-8", b'{"a": "\xff\xfe"}')
        self.assertIn(response.status_code, (400, 422))
        self.assertTrue(response["Content-Type"].startswith("application/json"))

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100, FILE_UPLOAD_MAX_MEMORY_SIZE=100)
    def test_too_large(self) -> None:
        body = (
            b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\n'
            + b"x" * 500
            + b"\r\n--b--\r\n"
        )
        self.assertJsonError(self.post("multipart/form-data; boundary=b", body), 413)

    def test_too_many_fields(self) -> None:
        fields = b"".join(
            b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % i
            for i in range(1100)
        )
        response = self.post("multipart/form-data; boundary=b", fields + b"--b--\r\n")
        self.assertJsonError(response, 400)


class PageUploadErrorTest(WijkTestCase):
    client_language = "en"

    def test_a_form_post_without_a_boundary_is_a_400_page(self) -> None:
        self.login("cora")
        response = self.client.generic(
            "POST", "/accounts/login/", b"xx", content_type="multipart/form-data"
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "could not be read", status_code=400)
