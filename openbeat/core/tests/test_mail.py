from django.core.mail import EmailMessage


def test_mail_goes_through_a_real_smtp_server(smtp_server):
    EmailMessage("Hello", "Body text", "from@police.example", ["resident@example.com"]).send()

    [message] = smtp_server.messages
    assert message["Subject"] == "Hello"
    assert message["To"] == "resident@example.com"
    assert message.get_content().strip() == "Body text"
