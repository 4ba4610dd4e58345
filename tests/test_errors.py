from typing import Any


def test_unknown_page_gets_the_site_404_in_chinese(client_for: Any) -> None:
    response = client_for("staff_a").get("/no-such-page/")
    assert response.status_code == 404
    assert "此頁面不存在，或您無權檢視。" in response.content.decode()
    assert "<header" in response.content.decode()  # the site layout, not Django's bare page
