from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "consult.oncall"
    label = "oncall"

    def ready(self):
        from consult.cases.selectors import case_list_annotation
        from consult.oncall.selectors import with_active_consult

        case_list_annotation(with_active_consult)  # the case list's "consult open" mark
