"""A pytest session that holds its emulator until it is killed (test/pytest-plugin.process.test.ts
kills it and checks that the emulator stopped too). URL_FILE receives the emulator's address."""
import os
import time


def test_hold(people_emulator):
    with open(os.environ['URL_FILE'], 'w') as f:
        f.write(people_emulator.url)
    time.sleep(600)
