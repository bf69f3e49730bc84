from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "Children: records, search, involvement, shielding"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from children.models import Child
        from children.numbers import child_deleted_retires_number

        pre_delete.connect(child_deleted_retires_number, sender=Child, dispatch_uid="child-retires-number")
