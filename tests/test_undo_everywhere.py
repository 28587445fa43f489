"""An /undo hides the reverted change from every reader-facing view, not just /history."""

import storage
from tests.conftest import ADMIN_ID, Chat


async def test_undone_change_disappears_from_replies_search_digests_and_charts(
    db, app, api, frozen_time
) -> None:
    admin = Chat(app, api, user_id=ADMIN_ID, chat_id=ADMIN_ID, first_name="Olena")
    reader = Chat(app, api)
    await reader.ask("/subscribe ceasefire")
    assert "Status saved" in await admin.ask("/set ceasefire agreement Zebrafish truce agreed")
    assert "Zebrafish" in await reader.ask("/ceasefire")
    assert "Zebrafish" in await reader.ask("/search zebrafish")
    assert "Zebrafish" in "\n".join(await reader.send("/digest"))
    chart_before = api.uploads("sendPhoto")
    await reader.send("/timeline ceasefire 30")
    frozen_time.shift(60)
    assert "Undone" in await admin.ask("/undo")
    assert "Zebrafish" not in await reader.ask("/ceasefire")
    assert "Zebrafish" not in await reader.ask("/status")
    assert "Nothing matches" in await reader.ask("/search zebrafish")
    assert "Zebrafish" not in "\n".join(await reader.send("/digest"))
    await reader.send("/timeline ceasefire 30")
    charts = api.uploads("sendPhoto")[len(chart_before) :]
    assert len(charts) == 2 and charts[0].files != charts[1].files
    status = storage.channel_status(db, storage.find_channel(db, "ceasefire"))
    assert status.phase.slug == "exploratory"
