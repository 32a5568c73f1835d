"""The chaos simulator: seeded faults per (method, chat, n-th call), HTML 502s, accepted drops."""

from __future__ import annotations

import aiohttp

from simulator.chaos import ALL_KINDS, ChaosSimulator


async def _send_many(sim: ChaosSimulator, chat_id: int, count: int) -> list[tuple[int, str]]:
    """sendMessage `count` times over raw HTTP; (status, content type) of each answer."""
    answers = []
    async with aiohttp.ClientSession() as http:
        for number in range(count):
            try:
                async with http.post(f"{sim.base_url}/bot{sim.token}/sendMessage",
                                     json={"chat_id": chat_id, "text": f"n{number}"}) as answer:
                    await answer.read()
                    answers.append((answer.status, answer.content_type))
            except aiohttp.ClientError:
                answers.append((0, "dropped"))
    return answers


async def test_same_seed_same_faults_whatever_else_runs() -> None:
    runs = []
    for noise in (0, 7):
        async with ChaosSimulator(rate=0.3, seed=42, kinds=ALL_KINDS, delay=0.01,
                                  retry_afters=(1,)) as sim:
            budi = sim.user("Budi")
            other = sim.user("Other")
            await _send_many(sim, other.id, noise)  # other chats' calls change nothing here
            answers = await _send_many(sim, budi.id, 40)
            runs.append((answers, [c.fault for c in sim.calls_to("sendMessage")
                                   if c.params.get("chat_id") == budi.id]))
    assert runs[0] == runs[1]
    answers, faults = runs[0]
    assert 5 <= sum(f is not None for f in faults) <= 20  # about 30 % of 40
    expected = {"429": (429, "application/json"), "500": (500, "application/json"),
                "html502": (502, "text/html"), "drop": (0, "dropped"),
                "accepted-drop": (0, "dropped"), None: (200, "application/json")}
    for answer, fault in zip(answers, faults, strict=True):
        assert answer == expected.get(fault, answer), (fault, answer)


async def test_html_502_is_a_page_and_accepted_drop_delivers_and_is_counted() -> None:
    async with ChaosSimulator(rate=1.0, seed=1, kinds=("html502",)) as sim:
        budi = sim.user("Budi")
        assert await _send_many(sim, budi.id, 2) == [(502, "text/html")] * 2
        assert budi.bot_messages() == []  # the method did not run
    async with ChaosSimulator(rate=1.0, seed=1, kinds=("accepted-drop",)) as sim:
        budi = sim.user("Budi")
        assert await _send_many(sim, budi.id, 2) == [(0, "dropped")] * 2
        assert [m.content for m in budi.bot_messages()] == ["n0", "n1"]  # Telegram accepted
        assert sim.accepted_sends[budi.id] == 2 and sim.injected["accepted-drop"] == 2
        sim.enabled = False
        assert await _send_many(sim, budi.id, 1) == [(200, "application/json")]
