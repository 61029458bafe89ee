"""UrgentBanner: hidden until handed a flag; its parts shown whole or not at all, the note cut last."""

from __future__ import annotations

from helpers import screen_lines

from console.viewmodel.views import BannerView
from widgets.urgent_banner import UrgentBanner

BANNER = BannerView(
    (
        "急件 URGENT +1 more [e] log [x] dismiss │ ",
        "10:44:28 ",
        "暴力威胁 sev 3",
        " · agent A0046",
        " · 138****5678",
        " · call C0042",
        " · 来电称要去单位闹事",
    )
)


async def test_the_banner_shows_the_flag_it_is_handed_and_hides_without_one(alone) -> None:
    widget = UrgentBanner()
    async with alone(widget, panel=False).run_test(size=(160, 5)) as pilot:
        await pilot.pause()
        assert not widget.has_class("-active") and not widget.display
        widget.show(BANNER)
        await pilot.pause()
        assert widget.has_class("-active")
        assert "".join(BANNER.parts) in "\n".join(screen_lines(pilot.app))
        widget.show(None)
        await pilot.pause()
        assert not widget.has_class("-active")


async def test_a_narrow_banner_drops_whole_parts_never_a_cut_figure(alone) -> None:
    widget = UrgentBanner()
    async with alone(widget, panel=False).run_test(size=(82, 5)) as pilot:
        widget.show(BANNER)
        await pilot.pause()
        # 82 cells inside the padding: up to the agent fits (42 + 9 + 14 + 14 = 79 cells),
        # the caller's number would make 93
        assert str(widget.content) == "".join(BANNER.parts[:4])
