"""Generation slots: per client and per server, released once (when the RPC is over), unread bytes."""

from __future__ import annotations

import pytest

from service.admission import HTTP_CLIENT_KEY, Admission, Busy, client_key


def _admission() -> Admission:
    return Admission(
        max_streams=3, streams_per_client=2, max_unary=2, unary_per_client=2, unread_per_client=100
    )


def test_slots_per_client_and_in_all_and_a_release_counts_once() -> None:
    a = _admission()
    s1, s2 = a.stream("alice"), a.stream("alice")
    with pytest.raises(Busy, match="per client"):
        a.stream("alice")
    s3 = a.stream("bob")
    with pytest.raises(Busy, match="limit of 3 streams"):
        a.stream("carol")
    s1.release()
    s1.release()  # the done callback and an error path may both release: once is what counts
    assert a.streams == {"alice": 1, "bob": 1}
    for s in (s2, s3):
        s.release()
    assert a.idle()


def test_a_client_with_unread_responses_waits() -> None:
    a = _admission()
    slot = a.unary_call("alice")
    slot.weigh(150)  # its response is built; the client has not read it yet
    with pytest.raises(Busy, match="not read"):
        a.unary_call("alice")
    a.unary_call("bob").release()  # others are not held back
    slot.release()
    assert not a.unread and a.unary_call("alice")


def test_readiness_fails_only_when_no_generation_fits() -> None:
    a = _admission()
    streams = [a.stream("a"), a.stream("b"), a.stream("c")]
    assert a.saturated() == ""  # unary calls are still served
    unary = [a.unary_call("a"), a.unary_call("b")]
    assert "slots are taken" in a.saturated()
    for s in streams + unary:
        s.release()


def test_a_client_is_its_token_or_its_host() -> None:
    tokens = frozenset({"t1"})
    assert client_key([("authorization", "Bearer t1")], "ipv4:10.0.0.1:5555", tokens).startswith("token:")
    assert client_key([], "ipv4:10.0.0.1:5555", frozenset()) == client_key(
        [], "ipv4:10.0.0.1:6666", frozenset()
    )
    assert client_key([], "ipv6:[::1]:5555", frozenset()) == "peer:ipv6:[::1]"
    # /api/'s own clients, passed on over loopback; from anywhere else the header is ignored.
    page = [("x-http-client", f"{HTTP_CLIENT_KEY}:203.0.113.9")]
    assert client_key(page, "ipv4:127.0.0.1:5555", frozenset()) == "http:203.0.113.9"
    forged = [("x-http-client", "203.0.113.9")]  # a local caller without this process's key
    assert client_key(forged, "ipv4:127.0.0.1:5555", frozenset()) == "peer:ipv4:127.0.0.1"
    assert client_key(page, "ipv4:10.0.0.1:5555", frozenset()) == "peer:ipv4:10.0.0.1"
    with_token = [("authorization", "Bearer t1"), *page]
    assert client_key(with_token, "ipv4:127.0.0.1:5555", tokens).startswith("token:")  # the token comes first
