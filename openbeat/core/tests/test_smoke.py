import pytest


@pytest.mark.django_db
def test_healthz_answers_once_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "default-src 'self'" in response["Content-Security-Policy"]
