"""ID numbers survive a key rotation: old keys still decrypt, the command re-seals under the new key."""
import secrets

from cryptography.fernet import Fernet
from django.core.management import call_command

from teams import protect


def test_a_value_sealed_under_the_old_key_reads_after_rotation(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    token = protect.seal("44022419800101123X")
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = new, old
    assert protect.unseal(token) == "44022419800101123X"
    fresh = protect.reseal(token)
    settings.FIELD_ENCRYPTION_OLD_KEYS = ""
    assert protect.unseal(fresh) == "44022419800101123X"


def test_the_rotation_command_reseals_every_commissioner(world, settings):
    from teams.tests.factories import make_commissioner

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    person = make_commissioner(world.unit, name="林秀英")
    number = person.id_number
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = new, old
    call_command("rotate_id_numbers")
    settings.FIELD_ENCRYPTION_OLD_KEYS = ""
    person.refresh_from_db()
    assert person.id_number == number


def test_duplicates_are_still_found_after_a_rotation_and_not_after_a_new_secret_key(world, settings):
    """The look-up digest follows the field key (recomputed by the command), never SECRET_KEY."""
    from teams.services import find_by_id_number
    from teams.tests.factories import make_commissioner

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    person = make_commissioner(world.unit, name="林秀英")
    number = person.id_number
    settings.SECRET_KEY = secrets.token_urlsafe(50)  # a new session secret
    assert find_by_id_number(number) == person
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = new, old
    call_command("rotate_id_numbers")
    settings.FIELD_ENCRYPTION_OLD_KEYS = ""
    assert find_by_id_number(number) == person
