import tutor.lesson

class Lin(tutor.lesson.Lin):
    pass
