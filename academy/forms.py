"""Form helpers shared by the apps' views."""


def validation_error_onto(form, exc):
    """Put a service's ValidationError on the form that fed it: field errors on their fields
    (or on the form when the field is not in it), other errors on the form, so the page comes
    back with the message and nothing typed is lost."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
