def test_sns_topics(client):
    sns = client("sns")
    arn = sns.create_topic(Name="alerts")["TopicArn"]
    assert arn == "arn:aws:sns:us-east-1:123456789012:alerts"
    assert sns.create_topic(Name="alerts")["TopicArn"] == arn
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [arn]
    sns.delete_topic(TopicArn=arn)
    assert sns.list_topics()["Topics"] == []


def test_state_is_per_region(client):
    client("sns", region="eu-west-1").create_topic(Name="eu")
    assert client("sns", region="us-east-1").list_topics()["Topics"] == []


def test_lambda_list_functions_starts_empty(client):
    assert client("lambda").list_functions()["Functions"] == []


def test_cognito_list_user_pools_starts_empty(client):
    assert client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []
