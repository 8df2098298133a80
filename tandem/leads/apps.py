from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "tandem.leads"
    label = "leads"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.leads import selectors

        visibility.register("leads.Lead", selectors.lead_visible, changeable=selectors.lead_changeable)
        visibility.register(
            "leads.LeadDayFigures",
            selectors.lead_day_figures_visible,
            changeable=selectors.lead_day_figures_changeable,
        )
        visibility.register(
            "leads.LeadRepDayFigures",
            selectors.lead_rep_day_figures_visible,
            changeable=selectors.lead_rep_day_figures_changeable,
        )
