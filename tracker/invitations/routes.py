"""The page an invitation links to: choose a password (no sign-in needed; the signed link is the key)."""
from flask import Blueprint, flash, redirect, render_template, url_for

from tracker.auth.services import UserError
from tracker.extensions import db
from tracker.invitations import services
from tracker.invitations.forms import SetPasswordForm
from tracker.invitations.tokens import InvitationError

bp = Blueprint("invitations", __name__, url_prefix="/invitations")


@bp.route("/<token>", methods=["GET", "POST"])
def accept(token: str):
    """Check the link; on a valid new password, set it and send the user to sign in."""
    try:
        user = services.invited_user(token)
    except InvitationError as exc:
        return render_template("invitations/invalid.html", reason=str(exc)), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(token, form.password.data)
        except (InvitationError, UserError) as exc:
            db.session.rollback()
            return render_template("invitations/invalid.html", reason=str(exc)), 400
        db.session.commit()
        flash("Your password is set. Sign in with your email and the new password.", "success")
        return redirect(url_for("auth.login"))
    return render_template("invitations/accept.html", form=form, user=user)
