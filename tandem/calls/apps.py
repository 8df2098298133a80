from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "tandem.calls"
    label = "calls"

    def ready(self) -> None:
        from tandem.calls import selectors
        from tandem.core import visibility

        visibility.register(
            "calls.CustomerCall", selectors.customer_call_visible, changeable=selectors.customer_call_changeable
        )
        visibility.register(
            "calls.CallAttendee", selectors.call_attendee_visible, changeable=selectors.call_attendee_changeable
        )
        visibility.register("calls.CallNote", selectors.call_note_visible, changeable=selectors.call_note_changeable)
