import django_tables2 as tables
from django.utils.html import format_html

from registrations.models import RegistrationSubmission


class SubmissionTable(tables.Table):
    doc_number = tables.Column(verbose_name="报送函文号")
    organizer = tables.Column(verbose_name="报送单位", accessor="county__name", default="市科技局（市级）",
                              order_by="county__code")
    pairing_count = tables.Column(verbose_name="结对数", accessor="pairing_count", orderable=False)

    class Meta:
        model = RegistrationSubmission
        fields = ["doc_number", "organizer", "recipient", "cycle", "pairing_count", "status", "sent_on", "confirmed_on",
                  "reference_number"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_doc_number(self, value, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)
