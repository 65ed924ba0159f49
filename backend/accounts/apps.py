from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.models import User
        from django.db.models.signals import post_save, pre_save

        # Every sign-in saves last_login alone; a history row per sign-in would bury the real changes.
        # simple_history skips a save while the instance carries `skip_history_when_saving`.
        def _skip_last_login_only(sender, instance, update_fields=None, **kwargs):
            if update_fields and set(update_fields) <= {"last_login"}:
                instance.skip_history_when_saving = True

        def _clear_skip(sender, instance, **kwargs):
            instance.__dict__.pop("skip_history_when_saving", None)

        pre_save.connect(_skip_last_login_only, sender=User, dispatch_uid="accounts.history.skip_last_login")
        # Connected after simple_history's own post_save (registered when models.py was imported).
        post_save.connect(_clear_skip, sender=User, dispatch_uid="accounts.history.clear_skip")
