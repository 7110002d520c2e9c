"""消息: the in-app inbox of staff and residents, and outbound SMS / WeChat messages."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from wangge.accounts.models import User
from wangge.lib import crypto
from wangge.lib.masking import mask_phone


class Notification(models.Model):
    """One message in a user's inbox (站内消息)."""

    # Indexed as the first column of (user, read_at).
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=200, blank=True)  # what the message is about, when not a ticket
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text


class MessageChannel(models.TextChoices):
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信"


class OutboundMessage(models.Model):
    """An SMS or WeChat message to a phone number, sent by the configured backend from the task worker."""

    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    phone_encrypted = models.TextField()
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    text = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "短信/微信"
        verbose_name_plural = "短信/微信"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.masked_phone}"

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
