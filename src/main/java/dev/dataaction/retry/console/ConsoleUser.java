package dev.dataaction.retry.console;

import java.util.Locale;

import jakarta.enterprise.context.RequestScoped;

/** Whoever is signed in to the console for the current request, as {@link ConsoleGate} found them. */
@RequestScoped
class ConsoleUser {

    private final ConsoleSessions sessions;
    private ConsoleSessions.Session session;

    ConsoleUser(ConsoleSessions sessions) {
        this.sessions = sessions;
    }

    void is(ConsoleSessions.Session signedIn) {
        this.session = signedIn;
    }

    String label() {
        return session.label();
    }

    /** The frame of a page: who is signed in, what they may do, the form token, and what was just done. */
    ConsolePage page(String title, ConsolePage.Section section, String notice) {
        return new ConsolePage(title, section, session.label(), session.role().name().toLowerCase(Locale.ROOT),
                session.mayAct(), sessions.csrfToken(session), notice == null || notice.isBlank() ? null : notice);
    }

    /**
     * Checks that a form came from a page of this session, whoever holds it.
     *
     * @return the label of the key
     * @throws ConsoleRefusal 403 otherwise
     */
    String checkForm(String csrf) {
        if (!sessions.csrfValid(session, csrf)) {
            throw ConsoleRefusal.staleForm();
        }
        return session.label();
    }

    /**
     * Checks that a state-changing request may go ahead: its form came from a page of this session, and the session's key
     * is an operator's.
     *
     * @return the label of the key, for the audit trail
     * @throws ConsoleRefusal 403 otherwise
     */
    String act(String csrf) {
        checkForm(csrf);
        if (!session.mayAct()) {
            throw ConsoleRefusal.viewerOnly(session.label());
        }
        return session.label();
    }
}
