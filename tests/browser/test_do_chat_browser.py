"""The do-chat example project in chromium: its page at ``/``, two tabs in one room, the room
evicted between messages while both stay connected."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from chromium import CHROMIUM_ARGS, chromium_executable

from cfws_playground import serve
from cfws_playground.pyworkers import load_project

CHAT = Path(__file__).resolve().parents[2] / "examples" / "do-chat"


@pytest.mark.browser
async def test_two_tabs_chat_through_a_hibernating_room() -> None:
    executable = chromium_executable()
    from playwright.async_api import async_playwright

    project = load_project(CHAT, hibernate_after=0.2)
    async with asyncio.timeout(90), serve(project.worker, env=project.env) as server:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                tabs = []
                for name in ("ada", "bob"):
                    page = await browser.new_page()
                    await page.goto(server.http_url)
                    await page.fill("#room", "browsers")
                    await page.fill("#name", name)
                    await page.click("#join")
                    await page.wait_for_function(
                        "() => document.getElementById('status').textContent === 'connected'"
                    )
                    tabs.append(page)
                ada, bob = tabs
                await ada.wait_for_function(
                    "() => document.getElementById('log').textContent.includes('bob joined')"
                )
                host = project.env.CHAT.hosts[0]
                while host.awake:  # the room hibernates; both tabs stay connected
                    await asyncio.sleep(0.02)
                await bob.fill("input[name=text]", "hello after a nap")
                await bob.click("#say button")
                for page in tabs:
                    await page.wait_for_function(
                        "() => document.getElementById('log').textContent.includes('bob: hello after a nap')"
                    )
                assert host.evictions >= 1 and host.constructed == host.evictions + 1  # a wake per eviction
                log = await ada.text_content("#log")
            finally:
                await browser.close()
    assert log is not None
    assert log.splitlines() == [
        "* ada joined (1 here). Welcome to the room!",
        "* bob joined (2 here). Welcome to the room!",
        "bob: hello after a nap",
    ]
