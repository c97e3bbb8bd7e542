"""WeCom (企业微信) group robot: POST {"msgtype": "text", ...} to the robot's webhook URL
(https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...); answers {"errcode": 0, ...}."""
from api.notify.channels import post_json, robot_answer, text_of


def payload(message):
    return {"msgtype": "text", "text": {"content": text_of(message)}}


def send(channel, message):
    _status, text = post_json(channel.url, payload(message))
    return robot_answer(text)
