from django.contrib import admin

from wangge.notify.models import Notification, OutboundMessage


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "text", "created_at", "read_at"]
    raw_id_fields = ["user", "ticket"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["channel", "masked_phone", "text", "created_at", "sent_at", "error"]
    exclude = ["phone_encrypted"]
    raw_id_fields = ["ticket"]
