import aiohttp


async def test_server_starts_and_answers(sandbox_server):
    base_url, app = sandbox_server
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base_url}/fapi/v1/ping") as resp:
            assert resp.status == 200
            assert await resp.json() == {}
            assert resp.headers["X-MBX-USED-WEIGHT-1M"] == "1"
