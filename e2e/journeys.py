"""The journeys: each drives the real UI as its people would, and asserts on what they see at each step."""

import datetime
import json
import urllib.error
import urllib.request
import zoneinfo

from selenium.webdriver.common.by import By

PASSWORD = "correct horse battery staple"
DEMO_ORGANISER = "organiser@demo.smartworknetwork.example"


def sign_in(b, email, password):
    b.visit("/")
    b.click_link("Sign in", within=".account")
    assert b.h1() == "Sign in"
    b.fill("email", email)
    b.fill("password", password)
    b.press("Sign in")
    assert b.driver.find_elements(By.XPATH, "//header//button[normalize-space()='Sign out']"), (
        f"{email} is not signed in: {b.path()}: {b.text()[:300]}"
    )


def sign_out(b):
    b.press("Sign out", scope=b.find("header"))
    b.sees("You are signed out.")


def sign_in_member(ctx, b, email):
    """Demo members' passwords are random and never shown: the first time, a member chooses one through
    'Forgotten your password?' and the e-mailed link, as a real member who forgot it would."""
    if email not in ctx.passwords:
        b.visit("/sign-in")
        b.click_link("Forgotten your password?")
        assert b.h1() == "Forgotten password"
        b.fill("email", email)
        b.press("Send me a link")
        b.sees(f"If there is an account for {email}")
        reset = [u for u in ctx.outbox.links(ctx.outbox.wait_for(b.driver, email, "Set a new password")) if "/password/reset/" in u]
        assert reset, "the password e-mail has no reset link"
        b.follow(reset[0])
        assert b.h1() == "Choose a new password"
        b.fill("password", PASSWORD)
        b.fill("confirm", PASSWORD)
        b.press("Set my password")
        b.sees("Your new password is set.")
        ctx.passwords[email] = PASSWORD
    sign_in(b, email, ctx.passwords[email])


def organiser_nav(b, text):
    b.click_link("Organisers", within=".account")
    b.click_link(text, within="nav[aria-label=Organisers]")


def network_time(ctx, minutes_from_now):
    """A datetime-local value in the network's time zone (the default, Europe/London: the runner sets no SWN_*)."""
    t = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/London")) + datetime.timedelta(minutes=minutes_from_now)
    return t.strftime("%Y-%m-%dT%H:%M")


def set_datetime(b, field_id, value):
    # Chromium's datetime-local field takes keystrokes in the browser locale's segment order, which varies by
    # machine; setting the value is what a date picker does and keeps the journey locale-independent.
    b.driver.execute_script("arguments[0].value = arguments[1];", b.find(f"#{field_id}"), value)


def apply_and_join(ctx):
    """A practitioner applies, confirms their work address, an organiser approves, and they sign in as a member."""
    name, email = "Dana Whitfield", "dana.whitfield@kestrel-eng.example.com"
    b = ctx.browser("a-applicant")
    b.visit("/")
    b.click_link("Join", within=".account")
    assert b.h1() == "Apply to join"
    for field, value in [
        ("name", name),
        ("email", email),
        ("password", PASSWORD),
        ("confirm", PASSWORD),
        ("job_title", "Workplace Change Lead"),
        ("employment", "Employee, working in-house"),
        ("programme_role", "I lead the hybrid working pilot across our three engineering sites."),
        ("discipline_workplace", True),
        ("organisation_name", "Kestrel Engineering"),
        ("organisation_domain", "kestrel-eng.example.com"),
        ("sector", "Manufacturing, engineering and utilities"),
        ("employees", "4000"),
        ("region", "West Midlands"),
        ("stage", "Intending to implement Smart Working"),
        ("agree_principles", True),
        ("agree_confidentiality", True),
        ("newsletter", True),
    ]:
        b.fill(field, value)
    b.press("Apply")
    # The form's answer is the same whether or not the address has an account: the e-mail says which.
    assert b.h1() == "Check your e-mail"
    b.sees("to confirm your work e-mail address")

    msg = ctx.outbox.wait_for(b.driver, email, "Confirm your work e-mail address")
    verify = [u for u in ctx.outbox.links(msg) if "/join/verify/" in u]
    assert verify, "the confirmation e-mail has no /join/verify/ link"
    b.follow(verify[0])
    assert b.h1() == "Confirm your e-mail address"
    b.press("Confirm my e-mail address")
    b.sees("your e-mail address is confirmed, and your application is with the organisers")
    sign_out(b)

    o = ctx.browser("a-organiser")
    sign_in(o, DEMO_ORGANISER, ctx.organiser_password)
    organiser_nav(o, "Regions")
    west_midlands = "//main//tr[td[normalize-space()='West Midlands']]"
    before = o.driver.find_element(By.XPATH, west_midlands).find_elements(By.XPATH, "td")[1].text
    organiser_nav(o, "Applications")
    assert o.h1() == "Applications"
    o.click_link(name, within="main table")
    assert o.h1() == f"Application from {name}"
    o.sees(f"{email} (confirmed)")
    o.fill("approve", True)
    o.fill("message", "Welcome to the network.")
    o.press("Record the decision")
    o.sees("The decision is recorded and the applicant has been e-mailed.")
    assert o.find("main .panel strong").text == "Approved", o.find("main .panel").text
    # The queue, filtered to approved applications, lists them.
    organiser_nav(o, "Applications")
    o.fill("status", "Approved")
    o.press("Show", scope=o.find("main form.filters"))
    row = o.driver.find_element(By.XPATH, f"//main//tr[td/a[normalize-space()='{name}']]")
    assert "Approved" in row.text, row.text
    # The organisers' list of regions counts organisations: Kestrel Engineering, the known organisation the member
    # joined, was counted already, and still once.
    organiser_nav(o, "Regions")
    assert o.h1() == "Regions"
    row = o.driver.find_element(By.XPATH, west_midlands)
    assert row.find_elements(By.XPATH, "td")[1].text == before, row.text
    # The membership reports count the new member among applications approved: a chart and a table each.
    organiser_nav(o, "Reports")
    assert o.h1() == "Membership reports"
    assert len(o.driver.find_elements(By.CSS_SELECTOR, "main svg[role=img]")) == 9
    approved = o.driver.find_element(By.XPATH, "//section[@aria-labelledby='applications']//tr[td[1][normalize-space()='Approved']]")
    assert int(approved.find_elements(By.XPATH, "td")[1].text) >= 1, approved.text

    welcome = ctx.outbox.wait_for(b.driver, email, "Welcome to the Smart Work Network")
    assert "has been approved" in welcome.get_body(preferencelist=("plain",)).get_content()
    sign_in(b, email, PASSWORD)
    b.click_link("Membership", within=".account")
    assert b.h1() == "Your membership"
    b.sees(f"{name}, your membership runs until")
    b.click_link("Members", within="nav[aria-label=Main]")
    assert b.h1() == "Members"
    b.sees(name)


def register_for_meeting(ctx):
    """An organiser publishes a virtual meeting starting soon; a member registers and sees its joining link."""
    title, link = "Hybrid rotas that stick", f"{ctx.room.url}/swn-hybrid-rotas"
    o = ctx.browser("b-organiser")
    sign_in(o, DEMO_ORGANISER, ctx.organiser_password)
    organiser_nav(o, "Meetings")
    o.click_link("New meeting", within="main")
    o.fill("title", title)
    o.fill("summary", "Three members compare how their teams agree who is in the office on which days.")
    o.fill("audience", "Members only (closed)")
    o.fill("mode", "Virtual")
    o.fill("joining_link", link)
    # Starting in an hour: inside the default release window (a day), so attendees see the link now.
    set_datetime(o, "starts_at", network_time(ctx, 60))
    set_datetime(o, "ends_at", network_time(ctx, 120))
    o.fill("capacity", "30")
    o.fill("status", "Published")
    o.press("Save the meeting")
    o.sees(title)

    member = "priya.shah@northshire.example.gov.uk"
    b = ctx.browser("b-member")
    sign_in_member(ctx, b, member)
    b.click_link("Meetings", within="nav[aria-label=Main]")
    assert link not in b.driver.page_source, "the joining link is in the listing"
    b.click_link(title, within="main")
    assert b.h1() == title
    assert not b.driver.find_elements(By.CSS_SELECTOR, "p.joining"), "the joining link shows before registering"
    b.press("Register")
    b.sees("You are registered.")
    anchor = b.find("p.joining a")
    assert anchor.get_attribute("href") == link, anchor.get_attribute("href")
    assert anchor.text == link
    # The confirmation e-mail carries the link too.
    msg = ctx.outbox.wait_for(b.driver, member, title)
    assert link in msg.get_body(preferencelist=("plain",)).get_content()
    # And the member opens it: the (stand-in) meeting service answers.
    b.click(anchor)
    assert b.h1() == "Meeting room" and "/swn-hybrid-rotas" in ctx.room.visits, ctx.room.visits


def forum_question(ctx):
    """A member asks a question, another answers, and the asker accepts the answer, likes it and bookmarks it."""
    title = "How do you size desk ratios after a hybrid pilot?"
    asker, answerer = "ben.osei@meridian-insurance.example.com", "amelia.clarke@meridian-insurance.example.com"
    b = ctx.browser("c-asker")
    sign_in_member(ctx, b, asker)
    b.click_link("Forum", within="nav[aria-label=Main]")
    assert b.h1() == "Forum"
    b.click_link("Workplace", within="main")
    b.click_link("New topic", within="main")
    assert b.h1() == "New topic"
    b.fill("title", title)
    b.fill("kind-question", True)
    b.fill("body", "We ran a six-month pilot. What ratio did you settle on, and how did you measure it?")
    b.press("Post")
    assert b.h1() == title
    topic_url = b.driver.current_url

    a = ctx.browser("c-answerer")
    sign_in_member(ctx, a, answerer)
    a.click_link("Forum", within="nav[aria-label=Main]")
    a.click_link("Workplace", within="main")
    a.click_link(title, within="main")
    assert a.h1() == title
    a.fill("body", "We use badge data for eight weeks, then plan for the 80th percentile day: 0.6 desks a head.")
    a.press("Post reply")
    a.sees("0.6 desks a head")
    assert not [x for x in a.driver.find_elements(By.TAG_NAME, "button") if x.text == "Accept as the answer"], (
        "someone other than the asker may accept the answer"
    )

    b.follow(topic_url)
    b.sees("0.6 desks a head")
    b.press("Accept as the answer")
    assert b.find("#answer").text == "Accepted answer"
    assert "0.6 desks a head" in b.find("section[aria-labelledby=answer]").text
    assert "Answered question" in b.find("main p.meta").text
    accepted = b.find("li.post.accepted")
    assert "Accepted answer" in accepted.text and "0.6 desks a head" in accepted.text

    # The asker thanks the answerer with a like, and keeps the answer among their bookmarks.
    b.press("Like", scope=b.find("li.post.accepted"))
    liked = b.find("li.post.accepted")
    assert "1 like" in liked.text and "Liked" in liked.text, liked.text
    b.press("Bookmark", scope=b.find("li.post.accepted"))
    assert "Bookmarked" in b.find("li.post.accepted").text
    b.visit("/account/bookmarks")
    assert b.h1() == "Bookmarks"
    b.sees(title)
    a.visit("/notifications")
    a.sees("liked your answer")

    # The answerer asks the moderators to look at the question, on a page of its own with the post beside the form.
    a.follow(topic_url)
    a.click_link("Flag", within="li.post")
    assert a.h1() == "Flag a post for the moderators"
    a.sees("six-month pilot")
    a.fill("reason", "A journey's flag: nothing is wrong with it.")
    a.press("Flag")
    assert a.h1() == title
    a.sees("the moderators will look at it")
    b.follow(topic_url)

    # The asker makes a personal API token in their settings and reads the answered topic through the API.
    b.click_link(b.find("header a[href='/account']").text, within="header")
    b.click_link("API tokens", within="main")
    assert b.h1() == "API tokens"
    b.fill("name", "my notes script")
    b.fill("password", PASSWORD)
    b.press("Create token")
    token = b.find("div.panel[role=status] code").text
    assert token.startswith("swn_")
    topic_id = topic_url.split("/forum/t/")[1].split("?")[0].split("#")[0]
    request = urllib.request.Request(
        f"{ctx.server.base_url}/api/v1/forum/topics/{topic_id}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        topic = json.load(r)
    assert topic["topic"]["answered"] and [p for p in topic["posts"] if p["accepted"] and "0.6 desks" in p["body_html"]]
    b.click(b.find("form[action$='/revoke'] button"))
    b.sees("The token is revoked")
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("a revoked token still reads the API")
    except urllib.error.HTTPError as e:
        assert e.code == 401


def newsletter(ctx):
    """A new organiser (made with the CLI, password chosen through the one-time link) sends a newsletter to all
    members and watches it go out until everything is delivered."""
    email, subject = "nina.organiser@demo.smartworknetwork.example", "Network news: hybrid rotas and desk ratios"
    # A visitor subscribes to the public edition (double opt-in), so the issue has a reader outside the members.
    reader = "sam.reader@example.org"
    v = ctx.browser("d-subscriber")
    v.visit("/")
    v.click_link("Newsletter", within="footer")
    assert v.h1() == "Subscribe to our news"
    v.fill("email", reader)
    v.press("Subscribe")
    v.sees("a confirmation link is on its way")
    msg = ctx.outbox.wait_for(v.driver, reader, "Confirm your subscription")
    v.follow([u for u in ctx.outbox.links(msg) if "/subscribe/confirm/" in u][0])
    assert v.h1() == "Confirm your subscription"
    v.press("Confirm my subscription")
    v.sees("Your subscription is confirmed")

    printed = ctx.server.cli("admin", "create-organiser", "--email", email, "--name", "Nina Organiser")
    links = [w for w in printed.split() if w.startswith(ctx.server.base_url)]
    assert links, f"create-organiser printed no link: {printed}"
    o = ctx.browser("d-organiser")
    o.follow(links[0])
    assert o.h1() == "Choose a new password"
    o.fill("password", PASSWORD)
    o.fill("confirm", PASSWORD)
    o.press("Set my password")
    o.sees("Your new password is set.")
    sign_in(o, email, PASSWORD)

    organiser_nav(o, "Newsletters")
    assert o.h1() == "Newsletters"
    o.fill("subject", subject)
    o.fill("intro", "This month: **hybrid rotas** that stick, and how members size desk ratios.")
    o.tick("All members")
    o.tick("Public subscribers (public items only)")
    o.press("Gather the items")
    assert o.h1() == subject
    # The page says who it would reach; sending asks for a confirmation.
    would_reach = int(o.find("#would-reach strong").text)
    o.tick(f"I have checked it: send it to these {would_reach} readers now")
    o.press("Send now")
    assert o.h1() == subject
    # The page follows the delivery by itself (JavaScript polling); wait for its final report.
    o.wait.until(lambda d: o.find("[data-field=state]").text.startswith("Finished"), "delivery never finished")
    recipients = int(o.find("[data-field=recipients]").text)
    delivered = int(o.find("[data-field=sent]").text)
    assert recipients > 0 and delivered == recipients, (recipients, delivered)
    assert recipients == would_reach, (recipients, would_reach)
    assert o.find("[data-field=failed]").text == "0"
    assert o.find("[data-field=state]").text == f"Finished: {recipients} delivered, 0 failed."
    assert o.find("#newsletter-status").text.startswith("sent"), "the status line still says the issue is going out"
    o.check()  # the page as it looks when finished
    assert ctx.outbox.count(subject) == recipients, (ctx.outbox.count(subject), recipients)
    ctx.outbox.wait_for(o.driver, reader, subject)


def plan_a_team(ctx):
    """The demo member reads her benefits team's plan, opens a space for a pilot team, describes a person's work
    and invites them; the invitee makes a team participant account, which reaches the space and nothing of the
    members' area."""
    priya = "priya.shah@northshire.example.gov.uk"
    b = ctx.browser("e-lead")
    sign_in_member(ctx, b, priya)
    b.click_link("Toolkit", within="nav[aria-label=Main]")
    assert b.h1() == "The Smart Working toolkit"
    b.click_link("Benefits and council tax team", within="main")
    b.click_link("See the plan", within="main")
    assert b.h1() == "The plan for Benefits and council tax team"
    b.sees("anchor day")
    b.sees("of shared in-person work on a day its people share")
    for row in b.driver.find_elements(By.CSS_SELECTOR, "[aria-label^=Forecast] tbody tr"):
        planned, desks = (int(td.text) for td in row.find_elements(By.TAG_NAME, "td")[:2])
        assert planned <= desks, row.text
    assert b.driver.find_elements(By.CSS_SELECTOR, "figure.chart svg[role=img]"), "the charts are missing"

    b.click_link("Toolkit", within="nav[aria-label=Main]")
    b.fill("name", "Customer contact pilot")
    b.fill("site_name", "Riverside office")
    for day in ("mon", "tue", "wed", "thu", "fri"):
        b.fill(f"desks_{day}", "3")
    b.press("Open the team space")
    assert b.h1() == "Customer contact pilot"
    b.sees("The team space is open")
    b.fill("name", "Dee Mensah")
    b.fill("hours_per_week", "37.5")
    b.press("Add")
    assert b.h1() == "Dee Mensah"
    b.fill("activity_name", "Counter duty")
    b.fill("category", "Customers in person")
    b.fill("hours", "15")
    b.fill("place", "Any of our offices")
    b.press("Add the activity")
    b.sees("Counter duty is added.")
    b.click_link("Customer contact pilot", within="main")
    b.fill("invite_email", "dee.mensah@example.org")
    b.fill("invite_person", "Dee Mensah")
    b.press("Send the invitation")
    b.sees("An invitation is on its way to dee.mensah@example.org.")

    d = ctx.browser("e-participant")
    msg = ctx.outbox.wait_for(d.driver, "dee.mensah@example.org", "invites you to the team space")
    d.follow([u for u in ctx.outbox.links(msg) if "/toolkit/invitations/" in u][0])
    assert d.h1() == "Join Customer contact pilot"
    d.fill("name", "Dee Mensah")
    d.fill("password", PASSWORD)
    d.fill("confirm", PASSWORD)
    d.press("Make my account and join")
    assert d.h1() == "Customer contact pilot"
    d.sees("Welcome to Customer contact pilot.")
    nav = d.find("nav[aria-label=Main]").text
    assert "Toolkit" in nav and "Forum" not in nav and "Members" not in nav, nav
    d.click_link("See the plan", within="main")
    d.sees("2 days on site: 15 h place-anchored ÷ 7.5 h = 2.0.")
    d.visit("/members")
    assert d.h1() != "Members", "a team participant reached the directory"


def agree_and_trial(ctx):
    """The claims team's lead changes a section of the team agreement and proposes it; she and her colleague
    agree it and it comes into force. Then a flexible-working request of the team starts a trial, which runs
    to its decision, with a check-in note on the way."""
    amelia, ben = "amelia.clarke@meridian-insurance.example.com", "ben.osei@meridian-insurance.example.com"
    a = ctx.browser("f-lead")
    sign_in_member(ctx, a, amelia)
    a.click_link("Toolkit", within="nav[aria-label=Main]")
    a.click_link("Motor claims team", within="main")
    a.click_link("Team agreement", within="main")
    assert a.h1() == "Team agreement"
    a.sees("A draft (version 2)")
    a.sees("Prefilled from the plan of Motor claims team")
    space = a.path().split("/")[3]
    a.visit(f"/toolkit/teams/{space}/agreement/sections/wellbeing")
    assert a.h1() == "Wellbeing and boundaries"
    a.fill("text", "No messages are expected outside each person's working hours.\n\nWe say when our workload is too much.")
    a.press("Save this section")
    a.sees("Saved as version 3.")
    a.press("Propose version 3 for agreement")
    a.sees("Proposed for agreement")
    a.press("I agree to version 3")
    a.sees("You agreed. The agreement comes into force when everyone in the team has.")

    b = ctx.browser("f-colleague")
    sign_in_member(ctx, b, ben)
    b.visit(f"/toolkit/teams/{space}")
    b.click_link("Read the team agreement and agree it, or ask for a change", within="main")
    b.sees("Version 3 is proposed for agreement")
    b.press("I agree to version 3")
    b.sees("the agreement is in force")
    b.sees("In force: version 3, agreed by everyone in the team")
    b.click_link("Versions and changes", within="main")
    b.press("Compare")
    assert b.h1() == "Version 2 and version 3"
    b.sees("We say when our workload is too much.")

    a.visit(f"/toolkit/teams/{space}")
    a.click_link("Flexible-working requests", within="main")
    assert a.h1() == "Flexible-working requests"
    a.click(a.find("main table tbody a"))
    a.sees("Waiting for a decision")
    a.click_link("Start a trial of this pattern", within="main")
    a.fill("criterion_1", "Claims settled within 10 working days")
    a.fill("baseline_1", "78% last quarter")
    a.fill("measure_1", "The weekly claims report")
    a.press("Propose the trial")
    a.sees("The trial is proposed")
    for step, state in [
        ("Mark it scoped (criteria, baseline and dates agreed)", "Scoped"),
        ("Start the trial", "Running"),
        ("Hold the mid-point check", "Mid-point check"),
    ]:
        a.press(step)
        a.sees(f"The trial is now: {state}.")
    a.fill("note", "Mid-point: settled claims are at 81%, and the Friday handover works.")
    a.press("Save the note")
    a.sees("The check-in note is saved.")
    a.press("Hold the final review")
    a.sees("should not be the default position")
    a.tick("Confirm the pattern")
    a.press("Record the decision")
    a.sees("The trial is now: Decided.")
    a.sees("Decided: Confirm the pattern.")


def assess_and_compare(ctx):
    """A council's programme lead assesses her organisation against the framework, starting from last time's
    answers, changes one answer with its evidence, submits, and reads the report: its charts (each parsed as
    XML, with a table of the same figures), a comparison with a sector too small to show (widened, and said
    so), what to do next, and the print view."""
    import xml.etree.ElementTree as ET

    p = ctx.browser("g-assess")
    sign_in_member(ctx, p, "priya.shah@northshire.example.gov.uk")
    p.click_link("Benchmark", within="nav[aria-label=Main]")
    assert p.h1() == "The Smart Working benchmark"
    p.press("Start an assessment")
    p.sees("The assessment is open")
    assert p.h1() == "Benchmark assessment"
    p.click_link("Vision, strategy and business case", within="main")
    assert p.h1() == "Vision, strategy and business case"
    section = p.find("section.question")
    question = section.find_element(By.CSS_SELECTOR, "input[name=question]").get_attribute("value")
    p.fill(f"l-{question}-4", True)
    p.fill(f"ev-{question}", "The business case was agreed by the cabinet in May.")
    p.press("Save this answer", scope=section)
    p.sees("Answer saved.")
    p.sees("The business case was agreed by the cabinet in May.")
    p.click_link("The assessment", within="main")
    p.click_link("Outcome measures", within="main")
    p.fill("value_desk_ratio", "0.55")
    p.press("Save the measures")
    p.sees("Measures saved.")
    p.click_link("Review and submit", within="main")
    assert p.h1() == "Submit the assessment"
    p.press("Submit")
    p.sees("Submitted. Here is your report.")
    assert p.h1() == "Benchmark report: Northshire County Council"
    p.sees("Peers: all organisations")
    markup = p.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(location.href, {credentials: 'same-origin'}).then(r => r.text()).then(done, e => done(''));"
    )
    charts = [markup[i : markup.index("</svg>", i) + 6] for i in range(len(markup)) if markup.startswith("<svg", i)]
    assert len(charts) >= 10, f"{len(charts)} charts"
    ns = "{http://www.w3.org/2000/svg}"
    radar = ET.fromstring(charts[0].replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    series = radar.findall(f"{ns}g/{ns}polygon")
    assert len(series) >= 3, "you, your previous assessment and the peer median"
    for polygon in series:
        assert len(polygon.get("points").split()) == 8
    for chart in charts[1:]:
        ET.fromstring(chart.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    assert len(p.driver.find_elements(By.CSS_SELECTOR, "main table")) >= 3, "each chart has its table"
    p.sees("What to do next")
    p.fill("group", "Charity and voluntary")
    p.press("Compare")
    p.sees("so the figures are for all organisations instead")
    p.click_link("A print view", within="main")
    assert p.h1() == "Benchmark report: Northshire County Council"
    p.visit("/benchmark/willing")
    p.tick("Workplace and property")
    p.press("Save")
    p.sees("Your choices are saved.")

    # The organisers see the network's figures (never an organisation's own) and draft the next version.
    o = ctx.browser("g-organiser")
    sign_in(o, DEMO_ORGANISER, ctx.organiser_password)
    organiser_nav(o, "Benchmark")
    assert o.h1() == "The benchmark: the network's figures"
    o.sees("Organisations: all organisations, 40 of them")
    assert "Northshire" not in o.find("main table").text, "no organisation in the figures"
    o.click_link("edit the next version", within="main")
    o.press("Start the next version from version 1")
    o.sees("A draft of the next version is open")
    o.press("Discard the draft")
    o.sees("The draft was discarded.")


def enter_the_awards(ctx):
    """A council's programme lead enters this year's awards for her organisation: a draft refused for what a
    judge needs, then completed and submitted, with its receipt; the organisers see it in the category."""
    name = f"Smart Working Awards {datetime.date.today().year + 1}"
    p = ctx.browser("h-entrant")
    sign_in_member(ctx, p, "priya.shah@northshire.example.gov.uk")
    p.visit("/awards")
    assert p.h1() == "The Smart Working Awards"
    p.click_link(name, within="main")
    assert p.h1() == name
    p.click_link("Leadership", within="main")
    p.click_link("Enter this category", within="main")
    assert p.h1() == "Enter Leadership"
    p.fill("title", "Anchor days and team agreements for 4,000 staff")
    p.fill("context", "A county council of 4,200 people across twelve sites.")
    p.press("Submit the entry")
    p.sees("A description of the benefits is required.")
    p.sees("Give at least one measurable outcome")
    p.fill("what_was_done", "Every team wrote its agreement from its own work, then trialled it for twelve weeks.")
    p.fill("benefits", "Two buildings released; people say they have more say over their week.")
    p.fill("measure_1", "Desk ratio")
    p.fill("baseline_1", "1.0")
    p.fill("result_1", "0.6")
    p.fill("unit_1", "desks per person")
    p.press("Submit the entry")
    p.sees("The entry is submitted")
    p.sees("Submitted on")
    assert ctx.outbox.wait_for(p.driver, "priya.shah@northshire.example.gov.uk", "is submitted")
    p.visit("/awards/entries")
    p.sees("Anchor days and team agreements for 4,000 staff")

    o = ctx.browser("h-organiser")
    sign_in(o, DEMO_ORGANISER, ctx.organiser_password)
    organiser_nav(o, "Awards")
    assert o.h1() == "Awards"
    o.click_link(name, within="main")
    o.sees("Anchor days and team agreements for 4,000 staff")
    o.sees("Managing by results across motor claims")


def judge_and_announce(ctx):
    """The organisers close entries and open judging; a member judge sees the conflict the network proposes (he
    works at the insurer that entered) and scores the council's entry; the outside judge, whose conflict the
    organisers pinned, scores it too and only then reads the other judge's comment; an organiser checks its
    eligibility, shortlists it as the winner with a citation, publishes the shortlist and announces the
    winners; a visitor reads the citation and the entrant gets her e-mail."""
    year = datetime.date.today().year + 1
    name = f"Smart Working Awards {year}"
    entry = "Anchor days and team agreements for 4,000 staff"
    o = ctx.browser("i-organiser")
    sign_in(o, DEMO_ORGANISER, ctx.organiser_password)
    organiser_nav(o, "Awards")
    o.click_link(name, within="main")
    set_datetime(o, "entries_close", network_time(ctx, -3))
    set_datetime(o, "judging_opens", network_time(ctx, -2))
    set_datetime(o, "judging_closes", network_time(ctx, 60 * 24 * 30))
    set_datetime(o, "shortlist_at", network_time(ctx, -1))
    set_datetime(o, "winners_at", network_time(ctx, -1))
    o.press("Save the programme")
    o.sees("The programme is saved.")

    ben = ctx.browser("i-judge")
    sign_in_member(ctx, ben, "ben.osei@meridian-insurance.example.com")
    ben.visit("/awards/judging")
    assert ben.h1() == "Your judging"
    ben.sees("Your conflicts of interest")
    ben.sees("Managing by results across motor claims")
    ben.sees("The judge works at the entrant organisation.")
    ben.click_link(entry, within="main")
    ben.sees("open to you once your own scores are in")
    ben.fill("score_1", "11")
    ben.press("Put my scores in")
    ben.sees("Give Impact on how people work a whole number from 1 to 10.")
    ben.fill("score_1", "8")
    ben.fill("score_2", "7")
    ben.fill("score_3", "6")
    ben.fill("comment", "Clear baseline, and the teams led it.")
    ben.press("Put my scores in")
    ben.sees("Your scores are in.")

    helen = ctx.browser("i-outside-judge")
    sign_in_member(ctx, helen, "helen.marsh@judges.example.org")
    helen.click_link("Judging", within="header")
    helen.sees("pinned by the organisers")
    helen.click_link(entry, within="main")
    assert "Clear baseline" not in helen.text()
    helen.fill("score_1", "9")
    helen.fill("score_2", "8")
    helen.fill("score_3", "8")
    helen.press("Put my scores in")
    helen.sees("Your scores are in.")
    helen.sees("Clear baseline, and the teams led it.")

    o.click_link("Judging of Leadership", within="main")
    o.sees("The ranking")
    o.click_link(entry, within="main")
    o.tick("The organisation has 100 or more employees")
    o.tick("The entrant works in-house (not a consultant or a vendor)")
    o.press("Save the check")
    o.sees("Eligibility saved")
    o.tick("Shortlisted")
    o.fill("award", "Winner")
    o.fill("citation", "For making the team's own work the starting point, across a whole council.")
    o.press("Save the decision")
    o.sees("The decision is saved.")
    o.click_link(name)
    o.press("Publish the shortlist")
    o.sees("The shortlist is published")
    o.press("Announce the winners")
    o.sees("The winners are published")

    v = ctx.browser("i-visitor")
    v.visit("/awards")
    v.click_link(f"{year}: {name}", within="main")  # in the archive, once decided
    v.sees("The winners")
    v.sees("For making the team's own work the starting point, across a whole council.")
    assert "Clear baseline" not in v.text()
    assert ctx.outbox.wait_for(v.driver, "priya.shah@northshire.example.gov.uk", "Winner")


def a_photo(path, width=300, height=200):
    """A plain PNG, written with the standard library: a photo to upload."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"".join(bytes((x % 256, 80, 122)) for x in range(width))
    rows = row * height
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return str(path)


def write_privately(ctx):
    """A member adds a photo, writes privately to another member from her profile, and she answers; each sees
    the other's face (a photo, or initials) beside the messages."""
    writer, reader = "ben.osei@meridian-insurance.example.com", "amelia.clarke@meridian-insurance.example.com"
    w = ctx.browser("j-writer")
    sign_in_member(ctx, w, writer)
    w.visit("/account/profile")
    assert w.h1() == "Your profile"
    w.find("#photo").send_keys(a_photo(ctx.artifacts / "ben-photo.png"))
    w.press("Save my profile")
    w.sees("Your profile is saved.")
    face = w.find(".person img.face")
    assert w.driver.execute_script("return arguments[0].naturalWidth", face) == 240, "the large face, resized"

    w.visit("/members")
    w.click_link("Amelia Clarke", within="main")
    assert w.h1() == "Amelia Clarke"
    w.click_link("Send Amelia Clarke a message", within="main")
    assert w.h1() == "New message"
    w.sees("Amelia Clarke")
    w.fill("subject", "Your desk ratio work")
    w.fill("body", "Could we compare notes on **badge data** before the next meeting?")
    w.press("Send")
    w.sees("Your message is sent.")
    assert w.h1() == "Your desk ratio work"
    w.sees("Could we compare notes on badge data")

    r = ctx.browser("j-reader")
    sign_in_member(ctx, r, reader)
    r.click_link("Messages", within=".account")
    assert r.h1() == "Messages"
    unread = r.find("ul.conversations li.unread")
    assert "Your desk ratio work" in unread.text and "1 new" in unread.text, unread.text
    r.click_link("Your desk ratio work", within="main")
    r.sees("Could we compare notes on badge data")
    photo = r.find("li.post img.face")
    assert r.driver.execute_script("return arguments[0].naturalWidth", photo) == 80, "Ben's small face beside his message"
    r.fill("body", "Yes: Thursday after the meeting works for me.")
    r.press("Send")
    r.sees("Your message is sent.")
    assert ctx.outbox.wait_for(r.driver, reader, "Ben Osei wrote to you")

    w.click_link("Messages", within=".account")
    assert "1 new" in w.find("ul.conversations li.unread").text
    w.click_link("Your desk ratio work", within="main")
    w.sees("Thursday after the meeting works for me.")
    assert ctx.outbox.wait_for(w.driver, writer, "Amelia Clarke wrote to you")


JOURNEYS = [
    apply_and_join,
    register_for_meeting,
    forum_question,
    write_privately,
    newsletter,
    plan_a_team,
    agree_and_trial,
    assess_and_compare,
    enter_the_awards,
    judge_and_announce,
]
