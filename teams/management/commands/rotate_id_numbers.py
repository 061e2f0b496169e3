"""Re-seal every stored ID number under the current FIELD_ENCRYPTION_KEY (after a key rotation)."""
from django.core.management.base import BaseCommand
from django.db import transaction

from teams.models import Commissioner
from teams.protect import digest, reseal, unseal


class Command(BaseCommand):
    help = "用当前密钥重新加密已存储的身份证号码并重算查重摘要（轮换密钥后运行；旧密钥放在 FIELD_ENCRYPTION_OLD_KEYS）"

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for commissioner in Commissioner.objects.select_for_update().only("pk", "id_number_sealed"):
                sealed = reseal(commissioner.id_number_sealed)
                # The look-up digest is keyed by the field key too: recompute it under the new key.
                Commissioner.objects.filter(pk=commissioner.pk).update(id_number_sealed=sealed,
                                                                       id_number_digest=digest(unseal(sealed)))
                count += 1
        self.stdout.write("已重新加密 %d 条身份证号码" % count)
