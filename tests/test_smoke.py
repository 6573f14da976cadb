import pytest


@pytest.mark.parametrize("url", ["/", "/measures/", "/verify/", "/accounts/login/", "/healthz"])
def test_public_pages_answer_without_login(client, db, url):
    assert client.get(url).status_code == 200


def test_staff_home_lists_nothing_to_do_when_there_is_nothing(client_for, bureau_approver):
    response = client_for(bureau_approver).get("/accounts/home/")
    assert response.status_code == 200
    assert "目前没有需要您处理的事项" in response.content.decode()
