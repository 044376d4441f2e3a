"""The targeted questions of "My situation", kept as data and translated: each is answered by
one of five options, and the option decides which follow-up question is asked (answered in
free text). A deployment replaces them with its authority's wording by editing this list."""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import LazyProxy

from portal.web.i18n import lazy_gettext as _

OPTIONS: dict[str, LazyProxy] = {
    "fully": _("Yes, fully"),
    "mostly": _("Mostly"),
    "partly": _("Partly"),
    "hardly": _("Hardly"),
    "not_at_all": _("Not at all"),
}
# Which follow-up an option leads to.
FOLLOW_UP_OF = {
    "fully": "good",
    "mostly": "good",
    "partly": "partly",
    "hardly": "hard",
    "not_at_all": "hard",
}


@dataclass(frozen=True)
class Question:
    id: str
    text: LazyProxy
    follow_ups: dict[str, LazyProxy]  # by FOLLOW_UP_OF's values

    def follow_up(self, option: str) -> LazyProxy | None:
        return self.follow_ups.get(FOLLOW_UP_OF.get(option, ""))


QUESTIONS: tuple[Question, ...] = (
    Question(
        "everyday",
        _("Do you manage your everyday life the way you would like to?"),
        {
            "good": _("What helps you manage your everyday life?"),
            "partly": _("Which parts of your everyday life are hard, and which go well?"),
            "hard": _("What makes your everyday life hard, and what could help?"),
        },
    ),
    Question(
        "health",
        _("Does your health allow you to work some hours a week?"),
        {
            "good": _("How many hours a week do you think you could work, and doing what?"),
            "partly": _("What would have to be in place for you to work some hours?"),
            "hard": _("What about your health stands in the way of work today?"),
        },
    ),
    Question(
        "work_wish",
        _("Do you know what kind of work you would like to do?"),
        {
            "good": _("What work would you like to do, and why?"),
            "partly": _("What do you know about the work you would like, and what not yet?"),
            "hard": _("What have you liked doing before, at work or elsewhere?"),
        },
    ),
    Question(
        "workplace",
        _("Do you know what you need from a workplace to do well there?"),
        {
            "good": _("What do you need from a workplace and from colleagues?"),
            "partly": _("What do you already know you need, and what would you like to try?"),
            "hard": _("What went wrong at workplaces before, and what would have helped?"),
        },
    ),
    Question(
        "support",
        _("Do you have people around you who support you?"),
        {
            "good": _("Who supports you, and how?"),
            "partly": _("Who supports you, and where would you like more support?"),
            "hard": _("What support do you miss?"),
        },
    ),
    Question(
        "ready",
        _("Do you feel ready to start at a workplace?"),
        {
            "good": _("What would a good start at a workplace look like for you?"),
            "partly": _("What would make you feel more ready?"),
            "hard": _("What worries you about starting at a workplace?"),
        },
    ),
)
QUESTIONS_BY_ID = {question.id: question for question in QUESTIONS}
