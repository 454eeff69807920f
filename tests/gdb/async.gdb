monitor break-on pending lost
monitor break-on
continue
monitor break-on off
monitor break-on poll 1
continue
monitor break-on off
monitor break-on wake 1
continue
monitor break-on off
monitor break-on polls 100
continue
monitor break-on off
monitor break-on ready busy
continue
monitor break-on off
monitor break-on wake x
monitor break-on polls 0
monitor break-on pending
monitor break-on lost-wake 3
monitor break-on bogus 1
monitor break-on
continue
