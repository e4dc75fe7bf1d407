import pytest
from rest_framework.test import APIClient

@pytest.mark.django_db
def test_smoke(account_admin, password):
    c = APIClient()
    r = c.post("/api/authentication/2017-09-01/token", {"grant_type": "Password", "username": account_admin.email, "password": password}, format="json", HTTP_AUTHORIZATION="Bearer garbage")
    print(r.status_code, r.json(), dict(r.headers))
    r2 = c.get("/api/authentication/2017-09-01/token", HTTP_AUTHORIZATION=r.json()["access_token"])
    print(r2.status_code, r2.json())
    r3 = c.post("/api/authentication/2017-09-01/token", {"grant_type": "refresh_token", "token": r.json()["refresh_token"]})
    print(r3.status_code, r3.json())
    r4 = c.post("/api/authentication/2017-09-01/token", {"grant_type": "refresh_token", "token": r.json()["refresh_token"]})
    print(r4.status_code, r4.json())
    print(c.get("/api/authentication/2017-09-01/.well-known/openid-configuration").json())
    print(c.get("/api/authentication/2017-09-01/token").json())
    assert 0
