def lin_grad(inp, out, w, b):
    import tutor.lesson
    tutor.lesson.lin_grad(inp, out, w, b)
