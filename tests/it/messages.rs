//! Private messages between members: written, answered and read; blocked; reported to moderators; read-only
//! for a lapsed member; limited against mass messaging; exported and erased.

use crate::on_both_engines;
use crate::support::{Engine, Person, TestApp, browser};

on_both_engines!(
    a_conversation_is_written_answered_and_read,
    a_blocked_member_cannot_write_to_the_one_who_blocked,
    a_reported_conversation_opens_to_moderators_and_no_one_else,
    lapsed_members_read_suspended_ones_do_not_and_starting_is_limited,
    the_daily_email_and_erasure,
);

/// Starts a conversation; gives its id.
async fn start(t: &TestApp, from: &Person, to: &[&Person], subject: &str, body: &str) -> String {
    let ids = to.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(",");
    let sent = t.post_with(from, "/messages", &[("to", &ids), ("subject", subject), ("body", body)]).await;
    sent.assert_status(303);
    sent.location().unwrap().trim_start_matches("/messages/").to_string()
}

/// The e-mails queued to an address whose subject holds `words`.
async fn mails(t: &TestApp, to: &str, words: &str) -> i64 {
    swn::fetch_scalar!(
        &t.app.db,
        i64,
        "SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND subject LIKE $2",
        to,
        format!("%{words}%")
    )
    .unwrap()
}

async fn a_conversation_is_written_answered_and_read(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Asker").await;
    let bea = t.member("bea@insurer.example.com", "Bea Belmont").await;
    let cal = t.member("cal@bank.example.com", "Cal Carter").await;
    let dee = t.member("dee@retail.example.com", "Dee Outsider").await;

    // From Bea's profile, to the form with her name; Ann finds Cal by name and adds him.
    t.get_with(&ann, &format!("/members/{}", bea.id)).await.assert_contains(&format!("/messages/new?to={}", bea.id));
    t.get_with(&ann, &format!("/messages/new?to={}", bea.id)).await.assert_status(200).assert_contains("Bea Belmont");
    let found = t.get_with(&ann, &format!("/messages/new?to={}&find=carter", bea.id)).await;
    found.assert_contains(&format!("/messages/new?to={},{}", bea.id, cal.id)).assert_lacks("cal@bank.example.com");

    // Bad input: a clear message beside each field, and the words kept.
    let bad = t.post_with(&ann, "/messages", &[("to", ""), ("subject", ""), ("body", "Kept words")]).await;
    bad.assert_status(422)
        .assert_contains("Choose at least one member to write to.")
        .assert_contains("The subject is required")
        .assert_contains("Kept words");
    t.post_with(&ann, "/messages", &[("to", "nobody"), ("subject", "Hi"), ("body", "x")])
        .await
        .assert_status(422)
        .assert_contains("not a member you can write to");

    let body = "Could we compare **anchor days**? <script>alert(1)</script> ![seen](https://tracker.example/p.gif)";
    let id = start(&t, &ann, &[&bea, &cal], "Anchor days", body).await;
    let opened = t.get_with(&ann, &format!("/messages/{id}")).await;
    opened.assert_status(200).assert_contains("<strong>anchor days</strong>").assert_lacks("<script>alert(1)");
    opened.assert_lacks("tracker.example");

    // Bea: unread in her list, told by e-mail (each time is the default), which names Ann but no address.
    t.get_with(&bea, "/messages").await.assert_contains("Anchor days").assert_contains("1 new");
    let mail = t.wait_for_mail_containing("bea@insurer.example.com", "Ann Asker wrote to you").await;
    assert!(!mail.contains("ann@council.example.gov.uk"), "no sender address in the e-mail: {mail}");
    assert!(mail.contains("/unsubscribe/"), "one-click unsubscribe: {mail}");
    // Reading marks it read; she answers.
    let read = t.get_with(&bea, &format!("/messages/{id}")).await;
    read.assert_status(200).assert_contains("Ann Asker").assert_lacks("ann@council.example.gov.uk");
    t.get_with(&bea, "/messages").await.assert_lacks("1 new");
    t.post_with(&bea, &format!("/messages/{id}"), &[("body", "  ")]).await.assert_status(422);
    t.post_with(&bea, &format!("/messages/{id}"), &[("body", "Yes: Tuesdays work for us.")]).await.assert_status(303);
    t.get_with(&ann, "/messages").await.assert_contains("1 new");
    t.get_with(&ann, &format!("/messages/{id}")).await.assert_contains("Tuesdays work for us.");
    t.wait_for_mail_containing("ann@council.example.gov.uk", "Bea Belmont wrote to you").await;

    // Outsiders: a member not in it and a visitor find nothing; no moderator sees it before a report.
    t.get_with(&dee, &format!("/messages/{id}")).await.assert_status(404);
    t.post_with(&dee, &format!("/messages/{id}"), &[("body", "let me in")]).await.assert_status(404);
    t.get_with(&browser(), &format!("/messages/{id}")).await.assert_status(303);
    let mo = t.moderator("mo@network.example.org", "Mo Derator").await;
    t.get_with(&mo, &format!("/messages/{id}")).await.assert_status(404);

    // Cal leaves: gone from his list, and he is no longer told.
    let told_cal = mails(&t, "cal@bank.example.com", "wrote to you").await;
    assert_eq!(told_cal, 2, "Ann's message and Bea's answer");
    t.post_with(&cal, &format!("/messages/{id}/leave"), &[]).await.assert_status(303);
    t.get_with(&cal, "/messages").await.assert_lacks("Anchor days");
    t.get_with(&cal, &format!("/messages/{id}")).await.assert_status(404);
    t.post_with(&ann, &format!("/messages/{id}"), &[("body", "After Cal left.")]).await.assert_status(303);
    assert_eq!(mails(&t, "cal@bank.example.com", "wrote to you").await, told_cal, "nothing after he left");
    t.get_with(&bea, &format!("/messages/{id}")).await.assert_contains("Cal Carter (left)");
    t.finish().await;
}

async fn a_blocked_member_cannot_write_to_the_one_who_blocked(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Asker").await;
    let bea = t.member("bea@insurer.example.com", "Bea Belmont").await;
    let id = start(&t, &ann, &[&bea], "Coffee?", "First message.").await;
    t.post_with(&bea, "/messages/blocked", &[("member", &ann.id), ("blocked", "yes"), ("back", &id)])
        .await
        .assert_status(303);
    t.get_with(&bea, "/messages/blocked").await.assert_contains("Ann Asker");
    let mails_before = mails(&t, "bea@insurer.example.com", "wrote to you").await;

    // Ann writes again, and starts a new conversation: her side looks the same as ever.
    let answer = t.post_with(&ann, &format!("/messages/{id}"), &[("body", "Second, after the block.")]).await;
    answer.assert_status(303);
    let mine = t.get_with(&ann, &format!("/messages/{id}")).await;
    mine.assert_contains("Second, after the block.").assert_lacks("blocked you");
    let other = start(&t, &ann, &[&bea], "Another try", "Hello again.").await;
    t.get_with(&ann, &format!("/messages/{other}")).await.assert_status(200).assert_contains("Hello again.");

    // Nothing reaches Bea: not in the conversation, not in her list, not by e-mail.
    let hers = t.get_with(&bea, &format!("/messages/{id}")).await;
    hers.assert_contains("First message.").assert_lacks("Second, after the block.");
    let list = t.get_with(&bea, "/messages").await;
    list.assert_lacks("Another try").assert_lacks("1 new");
    t.get_with(&bea, &format!("/messages/{other}")).await.assert_lacks("Hello again.");
    t.app.wake_mail();
    assert_eq!(mails(&t, "bea@insurer.example.com", "wrote to you").await, mails_before, "no e-mail from Ann");

    // Unblocked: Ann's messages reach her again (a block hides; it destroys nothing), with no e-mail for
    // those written while she was blocked.
    t.post_with(&bea, "/messages/blocked", &[("member", &ann.id), ("blocked", "no")]).await.assert_status(303);
    t.post_with(&ann, &format!("/messages/{id}"), &[("body", "Third, after the unblock.")]).await.assert_status(303);
    let hers = t.get_with(&bea, &format!("/messages/{id}")).await;
    hers.assert_contains("Third, after the unblock.");
    assert_eq!(mails(&t, "bea@insurer.example.com", "wrote to you").await, mails_before + 1);
    t.post_with(&bea, "/messages/blocked", &[("member", &bea.id), ("blocked", "yes")]).await.assert_status(400);
    t.finish().await;
}

async fn a_reported_conversation_opens_to_moderators_and_no_one_else(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Asker").await;
    let bea = t.member("bea@insurer.example.com", "Bea Belmont").await;
    let dee = t.member("dee@retail.example.com", "Dee Outsider").await;
    let mo = t.moderator("mo@network.example.org", "Mo Derator").await;
    let id = start(&t, &ann, &[&bea], "Vendor offer", "Buy our desk sensors, special price.").await;
    let page = t.get_with(&bea, &format!("/messages/{id}")).await;
    let message = page.attr(".post", "id").unwrap().trim_start_matches("m-").to_string();

    t.get_with(&mo, &format!("/messages/{id}")).await.assert_status(404);
    t.get_with(&mo, "/messages/reports").await.assert_status(200).assert_lacks("Vendor offer");
    // Ann cannot report her own message; Bea must say why.
    t.post_with(&ann, &format!("/messages/m/{message}/report"), &[("reason", "x")]).await.assert_status(400);
    t.post_with(&bea, &format!("/messages/m/{message}/report"), &[("reason", "")]).await.assert_status(400);
    t.post_with(&bea, &format!("/messages/m/{message}/report"), &[("reason", "Selling, not a peer question")])
        .await
        .assert_status(303);

    // Now moderators see it; still no one else.
    t.get_with(&mo, "/messages/reports").await.assert_contains("Vendor offer").assert_contains("Selling, not a peer");
    let seen = t.get_with(&mo, &format!("/messages/{id}")).await;
    seen.assert_status(200).assert_contains("Buy our desk sensors").assert_contains("as a moderator");
    t.get_with(&dee, &format!("/messages/{id}")).await.assert_status(404);
    t.get_with(&dee, "/messages/reports").await.assert_status(403);
    t.post_with(&mo, &format!("/messages/{id}"), &[("body", "moderator writes")]).await.assert_status(403);
    t.post_with(&dee, &format!("/messages/m/{message}/moderate"), &[("action", "remove"), ("reason", "x")])
        .await
        .assert_status(403);

    // The moderator removes it, with a reason; the report and the action are in the log.
    t.post_with(&mo, &format!("/messages/m/{message}/moderate"), &[("action", "remove"), ("reason", "Selling")])
        .await
        .assert_status(303);
    t.get_with(&bea, &format!("/messages/{id}"))
        .await
        .assert_contains("Removed by the moderators")
        .assert_lacks("Buy our desk sensors");
    let log = t.get_with(&mo, "/forum/moderation/log").await;
    log.assert_contains("report message").assert_contains("remove message").assert_contains("Selling, not a peer");
    log.assert_lacks("Bea Belmont");
    t.get_with(&mo, "/messages/reports").await.assert_lacks("Vendor offer");
    // Dealt with: the conversation is closed to moderators again; the words are kept, shown to no one.
    t.get_with(&mo, &format!("/messages/{id}")).await.assert_status(404);
    let kept =
        swn::fetch_scalar!(&t.app.db, String, "SELECT body_md FROM private_messages WHERE id = $1", &message).unwrap();
    assert!(kept.contains("Buy our desk sensors"));

    // A moderator in a conversation sees no report in it, and cannot rule on it; another moderator can.
    let own = t.moderator("own@network.example.org", "Oona Own").await;
    let theirs = start(&t, &own, &[&ann], "Moderator to member", "A sharp word.").await;
    let page = t.get_with(&ann, &format!("/messages/{theirs}")).await;
    let sharp = page.attr(".post", "id").unwrap().trim_start_matches("m-").to_string();
    t.post_with(&ann, &format!("/messages/m/{sharp}/report"), &[("reason", "Rude to me")]).await.assert_status(303);
    let inside = t.get_with(&own, &format!("/messages/{theirs}")).await;
    inside.assert_status(200).assert_lacks("Rude to me").assert_lacks("Dismiss the report");
    t.post_with(&own, &format!("/messages/m/{sharp}/moderate"), &[("action", "dismiss"), ("reason", "mine")])
        .await
        .assert_status(403);
    t.get_with(&mo, &format!("/messages/{theirs}")).await.assert_status(200).assert_contains("Rude to me");
    t.post_with(&mo, &format!("/messages/m/{sharp}/moderate"), &[("action", "dismiss"), ("reason", "Firm, not rude")])
        .await
        .assert_status(303);
    t.finish().await;
}

async fn lapsed_members_read_suspended_ones_do_not_and_starting_is_limited(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Asker").await;
    let lee = t.member("lee@bank.example.com", "Lee Lapsing").await;
    let sam = t.member("sam@retail.example.com", "Sam Suspended").await;
    let with_lee = start(&t, &ann, &[&lee], "Before the lapse", "Hello Lee.").await;
    start(&t, &ann, &[&sam], "Before the suspension", "Hello Sam.").await;
    swn::execute!(
        &t.app.db,
        "UPDATE users SET membership_ends_at = $1 WHERE id = $2",
        chrono::Utc::now() - chrono::Duration::days(1),
        &lee.id
    )
    .unwrap();
    swn::auth::service::change_role(&t.app.db, &sam.id, swn::auth::Role::Member, true).await.unwrap();

    // Lapsed: reads, cannot write, start or be written to.
    t.get_with(&lee, "/messages").await.assert_status(200).assert_contains("Before the lapse");
    t.get_with(&lee, &format!("/messages/{with_lee}")).await.assert_status(200).assert_contains("Hello Lee.");
    t.post_with(&lee, &format!("/messages/{with_lee}"), &[("body", "Can I answer?")])
        .await
        .assert_status(403)
        .assert_contains("renew");
    t.get_with(&lee, "/messages/new").await.assert_status(403);
    t.post_with(&ann, "/messages", &[("to", &lee.id), ("subject", "Hi"), ("body", "x")]).await.assert_status(422);
    // Suspended: nothing (their session ended).
    t.get_with(&sam, "/messages").await.assert_status(303);

    // Twenty new conversations a day; the twenty-first is refused with the words kept.
    let bea = t.member("bea@insurer.example.com", "Bea Belmont").await;
    for n in 2..swn::messages::NEW_CONVERSATIONS_A_DAY {
        start(&t, &ann, &[&bea], &format!("Question {n}"), "Hello.").await;
    }
    let refused = t
        .post_with(&ann, "/messages", &[("to", &bea.id), ("subject", "One too many"), ("body", "Keep these words")])
        .await;
    refused.assert_status(429).assert_contains("the most a day").assert_contains("Keep these words");
    // Answering goes on.
    t.post_with(&ann, &format!("/messages/{with_lee}"), &[("body", "Still answering.")]).await.assert_status(303);
    t.finish().await;
}

async fn the_daily_email_and_erasure(engine: Engine) {
    let t = TestApp::start(engine).await;
    let ann = t.member("ann@council.example.gov.uk", "Ann Asker").await;
    let bea = t.member("bea@insurer.example.com", "Bea Belmont").await;
    // Bea chooses one e-mail a day.
    t.post_with(&bea, "/account/email", &[("private_messages", "daily")]).await.assert_status(303);
    assert!(t.get_with(&bea, "/account/email").await.attr("#pm-daily", "checked").is_some());
    let id = start(&t, &ann, &[&bea], "Trial periods", "How long was yours?").await;
    t.post_with(&ann, &format!("/messages/{id}"), &[("body", "And how did you measure it?")]).await.assert_status(303);
    assert_eq!(mails(&t, "bea@insurer.example.com", "wrote to you").await, 0, "not each time");
    assert_eq!(swn::messages::send_daily(&t.app, chrono::Utc::now()).await.unwrap(), 1);
    assert_eq!(swn::messages::send_daily(&t.app, chrono::Utc::now()).await.unwrap(), 0, "once a day");
    let daily = t.wait_for_mail_containing("bea@insurer.example.com", "Trial periods: 2 new messages").await;
    assert!(daily.contains("/messages/"), "{daily}");
    // Never: nothing at all.
    t.post_with(&ann, "/account/email", &[("private_messages", "never")]).await.assert_status(303);
    t.post_with(&bea, &format!("/messages/{id}"), &[("body", "Twelve weeks.")]).await.assert_status(303);
    assert_eq!(mails(&t, "ann@council.example.gov.uk", "wrote to you").await, 0);

    // Ann's export holds her conversations and what she wrote; erased, her messages stay as a former member's.
    t.get_with(&ann, "/account/data").await.assert_contains("Trial periods").assert_contains("How long was yours?");
    let person = swn::feature::Person { id: ann.id.clone(), email: ann.email.clone(), name: ann.name.clone() };
    swn::feature::erase_person(&t.app, &person).await.unwrap();
    let page = t.get_with(&bea, &format!("/messages/{id}")).await;
    page.assert_contains("How long was yours?").assert_contains("Former member").assert_lacks("Ann Asker");
    let left = swn::fetch_scalar!(
        &t.app.db,
        i64,
        "SELECT (SELECT COUNT(*) FROM conversation_people WHERE user_id = $1)
              + (SELECT COUNT(*) FROM private_messages WHERE author_id = $1)",
        &ann.id
    )
    .unwrap();
    assert_eq!(left, 0);
    t.finish().await;
}
